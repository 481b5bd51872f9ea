import { Worker } from 'node:worker_threads';

/**
 * A /health request every `intervalMs`, each timed from when it was due, sent from a worker
 * thread: the benchmark's own work on its main thread (building attack bodies, parsing hundreds
 * of answers a second) must not delay the probes, or it would be counted as the server's.
 */
const PROBE = `
const { parentPort, workerData } = require('node:worker_threads');
const { Agent, get } = require('node:http');
const agent = new Agent({ keepAlive: true });
const requests = [];
let dueAt = performance.now();
let timer;
const health = () => new Promise((resolve) => {
  get({ host: '127.0.0.1', port: workerData.port, path: '/health', agent }, (response) => {
    response.resume();
    response.on('end', resolve);
  }).on('error', resolve);
});
const tick = () => {
  const due = dueAt;
  requests.push(health().then(() => performance.now() - due));
  dueAt = Math.max(due + workerData.interval, performance.now());
  timer = setTimeout(tick, dueAt - performance.now());
};
tick();
parentPort.once('message', async () => {
  clearTimeout(timer);
  parentPort.postMessage(await Promise.all(requests));
  agent.destroy();
});
`;

/** Starts probing; `stop()` ends it and resolves with every probe's latency in milliseconds. */
export function startHealthProbe(port: number, intervalMs: number): { stop(): Promise<number[]> } {
  const worker = new Worker(PROBE, { eval: true, workerData: { port, interval: intervalMs } });
  return {
    stop: async () => {
      const latencies = new Promise<number[]>((resolve) => worker.once('message', resolve));
      worker.postMessage('stop');
      const result = await latencies;
      await worker.terminate();
      return result;
    },
  };
}
