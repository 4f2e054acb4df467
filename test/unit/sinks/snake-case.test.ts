import { describe, expect, it } from 'vitest';
import { toSnakeCase } from '../../../src/sinks/column-names.js';

describe('toSnakeCase', () => {
  it.each([
    ['avgSpeedKmh', 'avg_speed_kmh'],
    ['windowStart', 'window_start'],
    ['route_id', 'route_id'],
    ['busID', 'bus_id'],
    ['HTTPStatus', 'http_status'],
    ['EventId', 'event_id'],
    ['speed2Max', 'speed2_max'],
    ['kebab-case', 'kebab_case'],
    ['x', 'x'],
  ])('%s → %s', (field, column) => {
    expect(toSnakeCase(field)).toBe(column);
  });
});
