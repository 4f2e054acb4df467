import type { AvroRecordSchema } from '../../src/serde/avro-schema.js';

/** An event of a small lifecycle NEW → OPEN → DONE, keyed by `id`. */
export interface Step {
  id: string;
  status: string;
  at: number;
}

/** The tracked state of one id: its status and how many steps it took. */
export interface StepState {
  id: string;
  status: string;
  steps: number;
}

export const stepSchema: AvroRecordSchema = {
  type: 'record',
  name: 'Step',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'status', type: 'string' },
    { name: 'at', type: 'long' },
  ],
};

export const stepStateSchema: AvroRecordSchema = {
  type: 'record',
  name: 'StepState',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'status', type: 'string' },
    { name: 'steps', type: 'int' },
  ],
};

const NEXT: Readonly<Record<string, string>> = { NONE: 'NEW', NEW: 'OPEN', OPEN: 'DONE' };

/** The state before any step. */
export const initialStepState = (id: string): StepState => ({ id, status: 'NONE', steps: 0 });

/** `track`'s update: the next status advances the state, anything else is rejected with `FROM → TO`. */
export const advanceStep = (state: Readonly<StepState>, e: Step): StepState | string =>
  NEXT[state.status] === e.status ? { ...state, status: e.status, steps: state.steps + 1 } : `${state.status} → ${e.status}`;
