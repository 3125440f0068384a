// Live commands typed while the simulator runs.
import { CommandError, parseCommand } from './control';

describe('parseCommand', () => {
  it.each([
    ['p', { kind: 'pause' }],
    ['resume', { kind: 'resume' }],
    ['interval 60', { kind: 'interval', seconds: 60 }],
    ['x 2.5', { kind: 'rate', factor: 2.5 }],
    ['send 3 12.5', { kind: 'send', meter: 2, valor: 12.5, timestampMs: undefined }],
    ['s 1 0 2026-11-20T18:00:00-03:00', { kind: 'send', meter: 0, valor: 0, timestampMs: Date.parse('2026-11-20T21:00:00Z') }],
    ['  q  ', { kind: 'quit' }],
    ['', undefined],
  ])('%j', (line, command) => {
    expect(parseCommand(line)).toEqual(command);
  });

  it.each([
    ['interval 0', 'interval (seconds) must be a number above 0'],
    ['rate fast', 'rate must be a number above 0'],
    ['send 1.5 3', 'meter# must be a whole number (1 = the first meter)'],
    ['send 1 -3', 'kWh must be a number, 0 or more'],
    ['send 1 3 2026-11-20T18:00:00', 'date must be ISO-8601 with a zone, e.g. 2026-11-20T18:00:00-03:00'],
    ['dance', 'unknown command "dance"; type help'],
  ])('%j is refused with a message', (line, message) => {
    expect(() => parseCommand(line)).toThrow(new CommandError(message));
  });
});
