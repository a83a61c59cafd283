// Entry of every relay-bench worker thread: registers tsx in this thread (loader hooks are not inherited by
// workers on Node 20), then loads the TypeScript module named in workerData.module.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
