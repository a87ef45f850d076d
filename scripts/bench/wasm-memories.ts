/**
 * The resident set of each WebAssembly memory of a process (oxigraph's, one per thread that uses it), in MB,
 * largest first. V8 maps a wasm memory as its accessible pages followed by a guard region of several GiB with
 * no access, so it is a read-write mapping followed directly by a large inaccessible one (/proc/<pid>/smaps,
 * Linux). A wasm memory only grows: pages its allocator freed stay counted here. Used by the soak and by
 * upload-revalidation-memory.ts.
 */

import { readFileSync } from 'node:fs';

export function wasmMemories(pid: number | 'self'): number[] {
  const maps: { end: string; start: string; size: number; access: string; rss: number }[] = [];
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const range = /^([0-9a-f]+)-([0-9a-f]+) (\S+)/.exec(line);
    if (range) maps.push({ start: range[1]!, end: range[2]!, size: (parseInt(range[2]!, 16) - parseInt(range[1]!, 16)) / 2 ** 20, access: range[3]!, rss: 0 });
    else if (line.startsWith('Rss:') && maps.length > 0) maps.at(-1)!.rss = Number(line.split(/\s+/)[1]) / 1024;
  }
  const memories: number[] = [];
  for (const [i, map] of maps.entries()) {
    const next = maps[i + 1];
    if (map.access.startsWith('rw') && next && next.start === map.end && next.access.startsWith('---') && next.size >= 4096) memories.push(map.rss);
  }
  return memories.sort((a, b) => b - a);
}
