/** Directory holding the .lua sources and the generated module. */
export declare const LUA_DIR: string;
/** Path of the generated module. */
export declare const GENERATED_PATH: string;
/** Renders the generated module from every `*.lua` file in `dir`. */
export declare function renderScriptsModule(dir?: string): string;
