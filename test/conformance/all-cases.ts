import { busTelemetryCases } from './bus-telemetry.case.js';
import type { ConformanceCase } from './conformance-case.js';
import { deadLetterCases } from './dead-letters.case.js';
import { formatCases } from './formats.case.js';
import { keyedStateCases } from './keyed-state.case.js';
import { mergeCases } from './merge.case.js';
import { streamCases } from './streams.case.js';
import { windowCases } from './windows.case.js';

/** Every conformance case; each runtime runs this whole list. */
export const allCases: readonly ConformanceCase[] = [...windowCases, ...streamCases, ...deadLetterCases, ...busTelemetryCases, ...keyedStateCases, ...mergeCases, ...formatCases];
