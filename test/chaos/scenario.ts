import { Prng } from './prng.js';

/** How big and how hostile a seed's run is. */
export type ProfileName = 'short' | 'long';

export interface Profile {
  readonly name: ProfileName;
  /** Fault episodes on the timeline (kill -9, SIGSTOP, PostgreSQL cut, scale-out). */
  readonly episodes: readonly [min: number, max: number];
  /** Pause between episodes, ms. */
  readonly gapMs: readonly [min: number, max: number];
  /** Pre-loaded backlog sizes (records). */
  readonly backlog: readonly [min: number, max: number];
  /** Live production: records per second and seconds. */
  readonly rate: readonly [min: number, max: number];
  readonly liveSeconds: readonly [min: number, max: number];
  /** Busy loops beside the run, at most. */
  readonly maxCpuLoad: number;
  /** Longest wait for the groups and sinks to catch up after the faults, ms. */
  readonly settleMs: number;
  /** Longest wait for outputs to equal the oracle once caught up, ms. */
  readonly compareMs: number;
  readonly maxStopMs: number;
  readonly maxCutMs: number;
}

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  short: {
    name: 'short',
    episodes: [3, 4],
    gapMs: [1_000, 3_000],
    backlog: [2_000, 8_000],
    rate: [100, 400],
    liveSeconds: [12, 20],
    maxCpuLoad: 1,
    settleMs: 120_000,
    compareMs: 30_000,
    maxStopMs: 8_000,
    maxCutMs: 8_000,
  },
  long: {
    name: 'long',
    episodes: [8, 13],
    gapMs: [1_000, 6_000],
    backlog: [10_000, 60_000],
    rate: [100, 1_200],
    liveSeconds: [30, 70],
    maxCpuLoad: 3,
    settleMs: 300_000,
    compareMs: 60_000,
    maxStopMs: 20_000,
    maxCutMs: 15_000,
  },
};

/** `backlog`: everything produced before `sluice run` starts; `live`: produced at a rate while it runs; `mixed`: a backlog, then live. */
export type FeedMode = 'backlog' | 'live' | 'mixed';

/** What the seed feeds the topology with. */
export interface Workload {
  readonly mode: FeedMode;
  /** Partitions of the source topic. */
  readonly partitions: number;
  /** Records produced before the run starts. */
  readonly backlog: number;
  /** Records produced live, at `rate` per second. */
  readonly live: number;
  readonly rate: number;
  /** Event time density of the generator: records per second of event time. */
  readonly eventsPerSecond: number;
  readonly invalidRatio: number;
  readonly lateRatio: number;
  /** Share of extra, undecodable records mixed in after generated ones (0: none). */
  readonly corruptRatio: number;
  /** Seed of the generator (`sluice generate --seed`). */
  readonly generatorSeed: number;
  /** Busy loops (`for(;;){}` child processes) while the faults run. */
  readonly cpuLoad: number;
  /** `sluice run --no-processing-thread`. */
  readonly singleThread: boolean;
}

/** An instance of `sluice run`: `a` runs throughout, `b` joins and leaves (scale-out/in). */
export type InstanceName = 'a' | 'b';
/** `fixed`: `--instance-id chaos-<name>`; `none`: no flag (the stable slot id of the project directory). */
export type IdMode = 'fixed' | 'none';

/** One step of the fault timeline; episodes run one after another, `gapMs` apart. */
export type Episode =
  | { readonly kind: 'kill9'; readonly target: InstanceName; readonly restartAfterMs: number; readonly restartWith: IdMode }
  | { readonly kind: 'stop'; readonly target: InstanceName; readonly holdMs: number }
  | { readonly kind: 'pg-cut'; readonly holdMs: number }
  | { readonly kind: 'registry-cut'; readonly holdMs: number }
  | { readonly kind: 'join'; readonly idMode: IdMode }
  | { readonly kind: 'leave'; readonly how: 'sigterm' | 'kill9' };

export interface FaultSchedule {
  /** How instance `a` is first started. */
  readonly firstIdMode: IdMode;
  /** Delay after the first start before the first episode, ms. */
  readonly startAfterMs: number;
  readonly episodes: readonly { readonly gapMs: number; readonly episode: Episode }[];
}

export interface Scenario {
  readonly seed: number;
  readonly profile: ProfileName;
  readonly workload: Workload;
  readonly faults: FaultSchedule;
}

/** A seed's workload and fault schedule: everything random about a run, and nothing else. */
export function scenarioFor(seed: number, profileName: ProfileName): Scenario {
  const profile = PROFILES[profileName];
  const workload = workloadFor(new Prng(seed, 1), profile);
  const faults = scheduleFor(new Prng(seed, 2), profile);
  return { seed, profile: profileName, workload, faults };
}

function workloadFor(r: Prng, p: Profile): Workload {
  const mode = r.weighted<FeedMode>([['backlog', 3], ['live', 4], ['mixed', 3]]);
  const rate = r.int(p.rate[0], p.rate[1]);
  const liveSeconds = r.int(p.liveSeconds[0], p.liveSeconds[1]);
  const backlogSize = r.int(p.backlog[0], p.backlog[1]);
  const backlog = mode === 'live' ? 0 : mode === 'mixed' ? Math.round(backlogSize / 2) : backlogSize;
  const live = mode === 'backlog' ? 0 : rate * liveSeconds;
  // A backlog alone may span hours of event time (sluice generate's default 20/s) or minutes; live
  // production keeps event time on the wall clock.
  const eventsPerSecond = mode === 'backlog' ? r.pick([20, 50, 200, 1_000]) : rate;
  return {
    mode,
    partitions: r.int(1, 6),
    backlog,
    live,
    rate,
    eventsPerSecond,
    invalidRatio: r.pick([0, 0.02, 0.05, 0.1]),
    lateRatio: r.pick([0, 0.01, 0.02, 0.05]),
    corruptRatio: r.chance(0.5) ? r.pick([0.002, 0.005, 0.02]) : 0,
    generatorSeed: r.int(1, 1_000_000),
    cpuLoad: r.chance(0.5) ? r.int(1, p.maxCpuLoad) : 0,
    singleThread: r.chance(0.15),
  };
}

function scheduleFor(r: Prng, p: Profile): FaultSchedule {
  const count = r.int(p.episodes[0], p.episodes[1]);
  const episodes: { gapMs: number; episode: Episode }[] = [];
  let joined = false;
  for (let i = 0; i < count; i++) {
    const gapMs = r.int(p.gapMs[0], p.gapMs[1]);
    const targets: InstanceName[] = joined ? ['a', 'b'] : ['a'];
    const kind = r.weighted<Exclude<Episode['kind'], 'registry-cut'>>([
      ['kill9', 5],
      ['stop', 2],
      ['pg-cut', 2],
      [joined ? 'leave' : 'join', joined ? 1.5 : 1.5],
    ]);
    let episode: Episode;
    switch (kind) {
      case 'kill9':
        episode = { kind, target: r.pick(targets), restartAfterMs: r.int(200, 4_000), restartWith: r.chance(0.5) ? 'fixed' : 'none' };
        break;
      case 'stop':
        episode = { kind, target: r.pick(targets), holdMs: r.int(500, p.maxStopMs) };
        break;
      case 'pg-cut':
        episode = { kind, holdMs: r.int(1_000, p.maxCutMs) };
        break;
      case 'join':
        episode = { kind, idMode: r.chance(0.5) ? 'fixed' : 'none' };
        joined = true;
        break;
      case 'leave':
        episode = { kind, how: r.chance(0.7) ? 'sigterm' : 'kill9' };
        joined = false;
        break;
    }
    episodes.push({ gapMs, episode });
  }
  // Registry cuts come from a stream of their own, inserted between the others, so adding them left
  // every other episode of a seed as it was.
  const r4 = new Prng(r.seed, 4);
  const cuts = r4.int(0, p.name === 'long' ? 2 : 1);
  for (let i = 0; i < cuts; i++) {
    episodes.splice(r4.int(0, episodes.length), 0, { gapMs: r4.int(p.gapMs[0], p.gapMs[1]), episode: { kind: 'registry-cut', holdMs: r4.int(1_000, p.maxCutMs) } });
  }
  // A second instance still there at the end leaves gracefully (scale-in), so every run ends on `a` alone.
  if (joined) episodes.push({ gapMs: r.int(p.gapMs[0], p.gapMs[1]), episode: { kind: 'leave', how: 'sigterm' } });
  return { firstIdMode: r.chance(0.5) ? 'fixed' : 'none', startAfterMs: r.int(1_000, 5_000), episodes };
}

/** How many fault injections a schedule makes: one per episode (a join is a scale-out, a leave a scale-in), plus one for corrupt records mixed in. */
export function faultCount(s: Scenario): { total: number; byKind: Record<string, number> } {
  const byKind: Record<string, number> = {};
  const add = (k: string): void => void (byKind[k] = (byKind[k] ?? 0) + 1);
  for (const { episode } of s.faults.episodes) {
    if (episode.kind === 'kill9') add(`kill9-${episode.restartWith === 'fixed' ? 'instance-id' : 'no-instance-id'}`);
    else if (episode.kind === 'stop') add('sigstop');
    else if (episode.kind === 'pg-cut') add('pg-cut');
    else if (episode.kind === 'registry-cut') add('registry-cut');
    else if (episode.kind === 'join') add('scale-out');
    else add(episode.how === 'kill9' ? 'scale-in-kill9' : 'scale-in');
  }
  if (s.workload.corruptRatio > 0) add('corrupt-records');
  const total = Object.values(byKind).reduce((a, b) => a + b, 0);
  return { total, byKind };
}

/** One line per episode, for a failure report. */
export function describeSchedule(s: Scenario): string[] {
  const lines = [`start a (${s.faults.firstIdMode === 'fixed' ? '--instance-id' : 'no --instance-id'}), first fault after ${s.faults.startAfterMs} ms`];
  for (const { gapMs, episode: e } of s.faults.episodes) {
    const what =
      e.kind === 'kill9' ? `kill -9 ${e.target}, restart after ${e.restartAfterMs} ms ${e.restartWith === 'fixed' ? 'with --instance-id' : 'without --instance-id'}`
      : e.kind === 'stop' ? `SIGSTOP ${e.target} for ${e.holdMs} ms`
      : e.kind === 'pg-cut' ? `PostgreSQL cut for ${e.holdMs} ms`
      : e.kind === 'registry-cut' ? `schema registry cut for ${e.holdMs} ms`
      : e.kind === 'join' ? `b joins (${e.idMode === 'fixed' ? '--instance-id' : 'no --instance-id'})`
      : `b leaves (${e.how})`;
    lines.push(`+${gapMs} ms: ${what}`);
  }
  return lines;
}
