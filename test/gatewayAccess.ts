// The UDP gateway's DynamoDB access, declared once: the task role must grant exactly this
// (test/package.int.test.ts) and the gateway, driven through every path, must use exactly this
// (test/gateway-access.int.test.ts).

/**
 * The UDP gateway's task role: the paths of udp-gateway/ (core/store/dynamoRepository.ts "UDP gateway"):
 * meter credentials, the unknown-meter check, one block update per reading (late ones with their month
 * item, in a transaction: per-item actions), the seqMaximo checkpoint, is-this-old-reading-stored, and
 * the alarm refresh after stored readings (the same reads and transitions as postConsumo's), and its
 * live figures for GET /gatewayStatus (udp-gateway/publisher.ts).
 */
export const EXPECTED_GATEWAY_ACCESS: Record<string, string[]> = {
  ClientesTable: ['dynamodb:GetItem'],
  MedidoresTable: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
  SegredosTable: ['dynamodb:GetItem'],
  BlocosTable: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
  TotaisTable: ['dynamodb:Query', 'dynamodb:UpdateItem'],
  AlarmesTable: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
  GatewayTable: ['dynamodb:PutItem'],
};
