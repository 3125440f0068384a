// `--profile`: CPU profiles (node --cpu-prof) of the processes behind a missed target, summarised as the
// functions that take the time, so PERFORMANCE.md's "what bounds it" can be rerun, not taken on trust.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { round } from './measure';

/** Node options that write a main-thread CPU profile into `dir` when the process exits. */
export function profileOptions(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Share of the profiled time the thread had nothing to do. */
  idleShare: number;
  garbageCollectionShare: number;
  /** Self time per function; Node's own internals are charged to the nearest caller in the project or a package. */
  top: { function: string; ms: number; share: number }[];
  /** The same time by where the code lives: a package, a project folder, Node itself, or native work. */
  byPlace: { place: string; share: number }[];
}

/** A package under node_modules, a folder of the project, `node:` internals, or `native` (GC, syscalls). */
function placeOf(url: string): string {
  const dependency = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return dependency[1];
  if (url.startsWith('node:')) return 'node (internals)';
  if (url === '') return 'native (GC, system calls, compiler)';
  const folder = /\/(core|functions|udp-gateway|meter|bench|dev|\.esbuild)\//.exec(url);
  return folder ? (folder[1] === '.esbuild' ? 'the bundled handler' : `${folder[1]}/`) : url;
}

/** Frames of the bench's own probe (it serialises the profile when asked to stop): not the process's work. */
const PROBE = /bench\/probe\.mjs/;

const short = (url: string) => url.replace(/^file:\/\/.*?\/node_modules\//, '').replace(/^file:\/\/\/.*?\/(core|functions|udp-gateway|meter|bench|dev|\.esbuild)\//, '$1/');

/** Summarises the main-thread profiles in `dir` (worker threads, e.g. tsx's loader, are left out). */
export function summarizeProfiles(dir: string, top = 15): ProfileSummary[] {
  // CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile: thread 0 is the main thread.
  const files = readdirSync(dir).filter((name) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(name));
  return files.map((file) => {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parent = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
    const own = (node: ProfileNode) => node.callFrame.url !== '' && !node.callFrame.url.startsWith('node:');
    const selfMs = new Map<string, number>();
    const placeMs = new Map<string, number>();
    let total = 0;
    let idle = 0;
    let gc = 0;
    profile.samples.forEach((id, index) => {
      const ms = profile.timeDeltas[index] / 1000;
      total += ms;
      const node = byId.get(id)!;
      const name = node.callFrame.functionName;
      if (name === '(idle)') return void (idle += ms);
      for (let frame: ProfileNode | undefined = node; frame; frame = byId.get(parent.get(frame.id) ?? -1)) {
        if (PROBE.test(frame.callFrame.url)) return void (total -= ms);
      }
      if (name === '(garbage collector)') gc += ms;
      let charged: ProfileNode | undefined = node;
      while (charged && !own(charged)) charged = byId.get(parent.get(charged.id) ?? -1);
      const target = charged ?? node;
      const label = `${target.callFrame.functionName || '(anonymous)'} ${short(target.callFrame.url) || '(native)'}${target.callFrame.url ? `:${target.callFrame.lineNumber + 1}` : ''}`;
      selfMs.set(label, (selfMs.get(label) ?? 0) + ms);
      const place = placeOf(node.callFrame.url);
      placeMs.set(place, (placeMs.get(place) ?? 0) + ms);
    });
    const busy = Math.max(1, total - idle);
    return {
      file,
      totalMs: Math.round(total),
      idleShare: round(idle / Math.max(1, total), 2),
      garbageCollectionShare: round(gc / busy, 2),
      top: [...selfMs]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([name, ms]) => ({ function: name, ms: Math.round(ms), share: round(ms / busy, 3) })),
      byPlace: [...placeMs]
        .sort((a, b) => b[1] - a[1])
        .filter(([, ms]) => ms / busy >= 0.01)
        .map(([place, ms]) => ({ place, share: round(ms / busy, 2) })),
    };
  });
}

/** Environment and Node options that let `bracket` profile a process (bench/probe.mjs). */
export function probeEnvironment(profileDir: string | undefined, baseNodeOptions = process.env.NODE_OPTIONS ?? ''): Record<string, string> {
  const probe = `--import=${join(process.cwd(), 'bench/probe.mjs')}`;
  if (!profileDir) return { NODE_OPTIONS: `${baseNodeOptions} ${probe}`.trim() };
  mkdirSync(profileDir, { recursive: true });
  return { NODE_OPTIONS: `${baseNodeOptions} ${probe} --expose-gc`.trim(), BENCH_PROFILE_DIR: profileDir };
}

/** Profiles process `pid` (started with `probeEnvironment(dir)`) while `work` runs; returns the summary. */
export async function bracket<T>(pid: number, dir: string, work: () => Promise<T>): Promise<{ result: T; profile: ProfileSummary | undefined }> {
  const before = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  const result = await work();
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 10_000;
  for (;;) {
    const written = readdirSync(dir).filter((name) => !before.has(name) && name.endsWith('.cpuprofile'));
    if (written.length > 0) {
      // Give the writer a moment to finish the file.
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { result, profile: summarizeProfiles(dir).find((summary) => summary.file === written[0]) };
    }
    if (Date.now() > deadline) return { result, profile: undefined };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
