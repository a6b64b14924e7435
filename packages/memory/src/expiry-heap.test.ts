import { describe, expect, it } from 'vitest';
import { ExpiryHeap, type HeapItem } from './expiry-heap.js';

interface Item extends HeapItem {
  id: number;
}

function lcg(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

describe('ExpiryHeap', () => {
  it('always exposes the earliest expiry under random pushes, removals and updates', () => {
    const random = lcg(42);
    const heap = new ExpiryHeap<Item>();
    const live = new Set<Item>();
    for (let step = 0; step < 5000; step++) {
      const r = random();
      if (r < 0.5 || live.size === 0) {
        const item: Item = { id: step, expiresAt: Math.floor(random() * 1000), heapIndex: -1 };
        heap.push(item);
        live.add(item);
      } else if (r < 0.8) {
        const victim = [...live][Math.floor(random() * live.size)] as Item;
        heap.remove(victim);
        expect(victim.heapIndex).toBe(-1);
        live.delete(victim);
      } else {
        const moved = [...live][Math.floor(random() * live.size)] as Item;
        moved.expiresAt = Math.floor(random() * 1000);
        heap.update(moved);
      }
      expect(heap.size).toBe(live.size);
      const min = Math.min(...[...live].map((i) => i.expiresAt));
      expect(heap.peek()?.expiresAt ?? Number.POSITIVE_INFINITY).toBe(
        live.size ? min : Number.POSITIVE_INFINITY,
      );
    }
  });

  it('ignores removal of an item it does not hold, and clear empties it', () => {
    const heap = new ExpiryHeap<Item>();
    const a: Item = { id: 1, expiresAt: 5, heapIndex: -1 };
    const stranger: Item = { id: 2, expiresAt: 1, heapIndex: 0 };
    heap.push(a);
    heap.remove(stranger);
    heap.update(stranger);
    expect(heap.size).toBe(1);
    expect(heap.peek()).toBe(a);
    heap.clear();
    expect(heap.size).toBe(0);
    expect(a.heapIndex).toBe(-1);
    expect(heap.peek()).toBeUndefined();
  });
});
