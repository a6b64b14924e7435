/** Something the heap orders by expiry; `heapIndex` is maintained by the heap (-1 = not in it). */
export interface HeapItem {
  expiresAt: number;
  heapIndex: number;
}

/**
 * Indexed binary min-heap on `expiresAt`. Every item knows its slot, so an
 * update or removal is O(log n) and the heap never holds stale entries: its
 * size is exactly the number of sessions that can expire.
 */
export class ExpiryHeap<T extends HeapItem> {
  readonly #items: T[] = [];

  /** Number of items in the heap. */
  get size(): number {
    return this.#items.length;
  }

  /** The item that expires first, if any. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Adds an item that is not in the heap. */
  push(item: T): void {
    item.heapIndex = this.#items.length;
    this.#items.push(item);
    this.#up(item.heapIndex);
  }

  /** Removes an item if it is in the heap. */
  remove(item: T): void {
    const i = item.heapIndex;
    if (i < 0 || this.#items[i] !== item) return;
    const last = this.#items.pop() as T;
    item.heapIndex = -1;
    if (last === item) return;
    this.#items[i] = last;
    last.heapIndex = i;
    this.#down(i);
    this.#up(last.heapIndex);
  }

  /** Restores heap order after the `expiresAt` of an item in the heap changed. */
  update(item: T): void {
    const i = item.heapIndex;
    if (i < 0 || this.#items[i] !== item) return;
    this.#up(i);
    this.#down(item.heapIndex);
  }

  /** Removes everything. */
  clear(): void {
    for (const item of this.#items) item.heapIndex = -1;
    this.#items.length = 0;
  }

  #up(i: number): void {
    const items = this.#items;
    const item = items[i] as T;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = items[parentIndex] as T;
      if (parent.expiresAt <= item.expiresAt) break;
      items[i] = parent;
      parent.heapIndex = i;
      i = parentIndex;
    }
    items[i] = item;
    item.heapIndex = i;
  }

  #down(i: number): void {
    const items = this.#items;
    const n = items.length;
    const item = items[i] as T;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && (items[right] as T).expiresAt < (items[left] as T).expiresAt) child = right;
      const c = items[child] as T;
      if (c.expiresAt >= item.expiresAt) break;
      items[i] = c;
      c.heapIndex = i;
      i = child;
    }
    items[i] = item;
    item.heapIndex = i;
  }
}
