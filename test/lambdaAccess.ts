// Each function's DynamoDB access, declared once: its role must grant exactly this
// (test/package.int.test.ts), and what it really asks of DynamoDB, driven through its paths, must
// stay within it (test/lambda-access.int.test.ts): DynamoDB Local never enforces IAM.

/** The table actions each function may use, and nothing more. */
export const EXPECTED_ACCESS: Record<string, Record<string, string[]>> = {
  authorizer: { TokensTable: ['dynamodb:GetItem'] },
  cadCliente: { ClientesTable: ['dynamodb:PutItem'], TokensTable: ['dynamodb:PutItem'] },
  tokenCliente: {
    ClientesTable: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    TokensTable: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
  },
  cadMedidor: { ClientesTable: ['dynamodb:UpdateItem'], MedidoresTable: ['dynamodb:PutItem'], SegredosTable: ['dynamodb:PutItem'] },
  segredoMedidor: {
    ClientesTable: ['dynamodb:GetItem'],
    MedidoresTable: ['dynamodb:UpdateItem'],
    SegredosTable: ['dynamodb:PutItem'],
  },
  postConsumo: {
    ClientesTable: ['dynamodb:GetItem'],
    MedidoresTable: ['dynamodb:GetItem', 'dynamodb:Query'],
    BlocosTable: ['dynamodb:Query', 'dynamodb:UpdateItem'],
    TotaisTable: ['dynamodb:Query', 'dynamodb:UpdateItem'],
    AlarmesTable: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
  },
  getAlarme: {
    ClientesTable: ['dynamodb:GetItem'],
    MedidoresTable: ['dynamodb:Query'],
    BlocosTable: ['dynamodb:Query'],
    TotaisTable: ['dynamodb:Query'],
    AlarmesTable: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
  },
  reconheceAlarme: {
    ClientesTable: ['dynamodb:GetItem'],
    AlarmesTable: ['dynamodb:Query', 'dynamodb:UpdateItem'],
  },
  getConsumoHist: {
    ClientesTable: ['dynamodb:GetItem'],
    BlocosTable: ['dynamodb:Query'],
    TotaisTable: ['dynamodb:Query'],
  },
  getFatura: {
    ClientesTable: ['dynamodb:GetItem'],
    BlocosTable: ['dynamodb:Query'],
    TotaisTable: ['dynamodb:Query'],
    FaturasTable: ['dynamodb:GetItem', 'dynamodb:Query'],
  },
  faturaPdf: {
    ClientesTable: ['dynamodb:GetItem'],
    BlocosTable: ['dynamodb:Query'],
    TotaisTable: ['dynamodb:Query'],
    FaturasTable: ['dynamodb:GetItem'],
  },
  fechaFatura: {
    ClientesTable: ['dynamodb:GetItem'],
    BlocosTable: ['dynamodb:Query'],
    TotaisTable: ['dynamodb:Query'],
    FaturasTable: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
  },
  faturas: { ClientesTable: ['dynamodb:GetItem'], FaturasTable: ['dynamodb:Query'] },
  alarmes: {
    ClientesTable: ['dynamodb:GetItem'],
    MedidoresTable: ['dynamodb:Query'],
    BlocosTable: ['dynamodb:Query'],
    TotaisTable: ['dynamodb:Query'],
    AlarmesTable: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    'AlarmesTable/index/ativos': ['dynamodb:Query'],
  },
  gatewayStatus: { GatewayTable: ['dynamodb:Scan'] },
  avaliaAlarmes: {
    ClientesTable: ['dynamodb:GetItem', 'dynamodb:Scan', 'dynamodb:UpdateItem'],
    MedidoresTable: ['dynamodb:Query', 'dynamodb:UpdateItem'],
    BlocosTable: ['dynamodb:Query'],
    TotaisTable: ['dynamodb:Query', 'dynamodb:UpdateItem'],
    AlarmesTable: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
  },
};
