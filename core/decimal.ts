// Exact decimal arithmetic for kWh and money, at DynamoDB's own number precision (38 digits).
import DecimalJs from 'decimal.js';

export const Decimal = DecimalJs.clone({ precision: 38, rounding: DecimalJs.ROUND_HALF_UP });
export type Decimal = DecimalJs;
