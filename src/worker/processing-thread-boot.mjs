// A processing thread's entry when Sluice runs from its sources: a worker thread does not inherit
// the loaders of the thread that started it, so it registers tsx and the source condition itself.
import { useSourceMode } from '../source-mode.mjs';

useSourceMode();
await import('./processing-thread-main.ts');
