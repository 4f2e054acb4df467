// A processing thread's entry: topologies and the runtime are TypeScript run through tsx, which a
// worker thread does not inherit from the thread that started it, so it registers tsx itself.
import { register } from 'tsx/esm/api';

register();
await import('./processing-thread-main.ts');
