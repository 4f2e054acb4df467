import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { DEFAULT_METRICS_PORT } from '../../metrics/index.js';
import { redactUrl, stackUp } from '../../stack/index.js';
import type { CliContext } from '../cli-context.js';
import { startStatusLines } from '../status-lines.js';
import { loadWorkloads } from '../generators/workload-catalog.js';
import { TopologyCatalog } from '../topology-catalog.js';
import { serviceProbes } from '../service-probes.js';

const bin = new URL('../../../bin/sluice.js', import.meta.url).pathname;

/**
 * `sluice start` (what `npm start` runs): the stack up, schemas registered,
 * every example topology running (`sluice run --all`, migrations included)
 * with a generator per workload, and a status line every few seconds read
 * from the run's `/metrics`. Ctrl-C stops the topologies and generators
 * cleanly; the stack stays up (`sluice stack down` stops it).
 *
 * @example
 * ```sh
 * npm start
 * npx sluice start --rate 200 --status-every 10
 * ```
 */
export function startCommand(context: CliContext): Command {
  return new Command('start')
    .description('the demo: stack up, schemas registered, every topology running with its generator, live status (what `npm start` runs)')
    .option('--rate <n>', 'events per second per generator', '50')
    .option('--status-every <s>', 'seconds between status lines', '5')
    .action(async (options: { rate: string; statusEvery: string }) => {
      const endpoints = await stackUp({ projectDir: context.projectDir, probes: serviceProbes, log: context.info });
      const env = {
        ...process.env,
        KAFKA_BOOTSTRAP_SERVERS: endpoints.kafkaBootstrapServers,
        SCHEMA_REGISTRY_URL: endpoints.schemaRegistryUrl,
        DATABASE_URL: endpoints.databaseUrl,
        SLUICE_METRICS_PORT: process.env.SLUICE_METRICS_PORT ?? String(DEFAULT_METRICS_PORT),
      };
      const logDir = join(context.projectDir, '.sluice', 'demo');
      mkdirSync(logDir, { recursive: true });
      // Children get their own process group: a terminal's Ctrl-C reaches only this process, which
      // forwards one SIGTERM — a second signal would make `sluice run` exit without committing.
      const cli = (args: string[], log: string): ChildProcess =>
        spawn(process.execPath, [bin, ...args], {
          cwd: context.projectDir,
          env,
          detached: true,
          stdio: ['ignore', openSync(join(logDir, log), 'a'), openSync(join(logDir, log), 'a')],
        });
      const finished = (child: ChildProcess): Promise<number> => new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));

      context.info('registering schemas…');
      const registered = await finished(cli(['schemas', 'register'], 'schemas.log'));
      if (registered !== 0) throw new Error(`sluice schemas register failed (exit ${registered}); see ${join(logDir, 'schemas.log')}`);

      // Where this run's log starts: the file keeps earlier demos' lines.
      const runLog = join(logDir, 'run.log');
      const runLogStart = existsSync(runLog) ? statSync(runLog).size : 0;
      // A stable instance id: a restarted demo fences its predecessor's open transactions at once.
      const children: ChildProcess[] = [cli(['run', '--all', '--log-format', 'json', '--instance-id', 'demo'], 'run.log')];
      // The project's hand-written workloads, and a schema-driven one for every topology none of them feeds.
      const workloads = await loadWorkloads(context.projectDir);
      const fed = new Set(workloads.flatMap((w) => w.topologies));
      const generators = [...workloads.map((w) => w.name), ...new TopologyCatalog(context.projectDir).names().filter((t) => !fed.has(t))];
      for (const name of generators) children.push(cli(['generate', name, '--rate', options.rate], `generate-${name}.log`));
      const metricsUrl = `http://127.0.0.1:${env.SLUICE_METRICS_PORT}/metrics`;
      // `sluice run` serves on another port when this one is taken (another Sluice on the machine):
      // the status must read this run's metrics, so it takes the address from the run's own log.
      let servedUrl: string | undefined;
      const actualMetricsUrl = (): string | undefined => {
        if (servedUrl !== undefined) return servedUrl;
        const text = readFileSync(runLog).subarray(runLogStart).toString('utf8');
        servedUrl = /"msg":"metrics on (http:\/\/[^ "]+\/metrics)/.exec(text)?.[1];
        if (servedUrl !== undefined && servedUrl !== metricsUrl) context.info(`metrics: ${metricsUrl} was taken; this run serves ${servedUrl}`);
        return servedUrl;
      };
      context.print(
        [
          `running ${children.length - 1} generators at ${options.rate}/s each and every topology (logs: ${logDir}/)`,
          `metrics: ${metricsUrl}   health: /healthz /readyz`,
          `query:   psql ${redactUrl(endpoints.databaseUrl)} -c 'select * from bus_route_minute order by window_start desc limit 5'`,
          'Ctrl-C stops the topologies and generators; `npx sluice stack down` stops the stack.',
        ].join('\n'),
      );

      const stop = new AbortController();
      const onSignal = (): void => stop.abort();
      // SIGHUP too: a closed terminal must stop the children (they run in their own process groups).
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      process.once('SIGHUP', onSignal);
      const runExit = finished(children[0]!).then((code) => {
        if (!stop.signal.aborted) {
          context.info(`sluice run exited (code ${code}) — see ${join(logDir, 'run.log')}`);
          stop.abort();
        }
      });
      // A generator that fails (a topic with the wrong partition count, say) must not go unnoticed
      // behind a status block that only shows its topologies idle.
      generators.forEach((name, i) => {
        void finished(children[i + 1]!).then((code) => {
          if (stop.signal.aborted || code === 0) return;
          const logFile = join(logDir, `generate-${name}.log`);
          const lines = readFileSync(logFile, 'utf8').trim().split('\n');
          context.info(`generator ${name} exited (code ${code}): ${lines.find((l) => l.startsWith('sluice:')) ?? lines.at(-1) ?? ''} — see ${logFile}`);
        });
      });
      const stopStatus = startStatusLines(
        () => {
          const url = actualMetricsUrl();
          if (url === undefined) return Promise.reject(new Error('the run has not served its metrics yet'));
          return fetch(url, { signal: AbortSignal.timeout(2_000) }).then((r) => r.text());
        },
        context.print,
        Math.max(1, Number(options.statusEvery)) * 1000,
      );
      await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
      // Children first: after a hang-up, writing to the terminal may fail.
      for (const child of children) child.kill('SIGTERM');
      stopStatus();
      context.info('stopping: topologies finish their batch and commit…');
      await Promise.all([runExit, ...children.slice(1).map(finished)]);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('SIGHUP', onSignal);
    });
}
