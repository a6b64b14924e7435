/** Directory holding the .lua sources and the generated module. */
export declare const LUA_DIR: string;
/** Directory of the fragments scripts include. */
export declare const INCLUDE_DIR: string;
/** Path of the generated module. */
export declare const GENERATED_PATH: string;
/** The script text with every `--@include name` line replaced by the fragment. */
export declare function expandIncludes(lua: string, dir?: string): string;
/** Renders the generated module from every `*.lua` file in `dir`. */
export declare function renderScriptsModule(dir?: string): string;
