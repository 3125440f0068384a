// GET /gatewayStatus (staff) → 200 {total: {instancias, recebidas, gravadas, duplicadas, rejeitadas, emAndamento, leiturasPorSegundo, latenciaP99Ms}, gateways: [...]}
import { gatewayStatus } from '../../core/gatewayStatus';
import { reply, route } from '../http';
import { schema } from './schema';

export const handler = route({
  method: 'GET',
  access: 'staff',
  schema,
  handle: async (_input, context) => reply(200, await gatewayStatus(context)),
});
