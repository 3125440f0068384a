// Scheduled (EventBridge, every 15 minutes): evaluates every customer's alarms, so a silent meter
// or a spike whose day ended changes state without anybody asking.
import { sweepAlarms } from '../../core/alarms';
import { luzContext } from '../runtime';

export async function handler(): Promise<{ avaliados: number }> {
  const avaliados = await sweepAlarms(luzContext());
  console.log(JSON.stringify({ level: 'info', msg: 'alarm sweep', avaliados }));
  return { avaliados };
}
