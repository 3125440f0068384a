// API Gateway TOKEN authorizer: turns `Authorization: Bearer …` into a principal, or 401.
// It runs before every route, in serverless offline as in AWS, so no handler can be reached around it.
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { authenticate, sha256, Unauthorized, type Principal } from '../../core/access';
import { authCacheSeconds, luzContext, staffKey } from '../runtime';
import { DecisionCache } from './decisions';

/** Only where nothing in front caches decisions: serverless offline (see decisions.ts). */
let decisions: DecisionCache<Principal> | undefined;
const localDecisions = () => (process.env.IS_OFFLINE ? (decisions ??= new DecisionCache(authCacheSeconds() * 1000)) : undefined);

function allow(principal: Principal, methodArn: string): APIGatewayAuthorizerResult {
  // methodArn = arn:aws:execute-api:region:account:api/stage/METHOD/path. Allow the whole stage,
  // so a cached decision for one route never blocks another; the routes themselves check ownership.
  const [api, stage] = methodArn.split('/');
  return {
    principalId: principal.role === 'staff' ? 'staff' : `customer:${principal.customerId}`,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${api}/${stage}/*/*` }],
    },
    context: principal.role === 'staff' ? { role: 'staff' } : { role: 'customer', customerId: principal.customerId },
  };
}

/** Who the credential is: a decision kept within its TTL, else looked up (only an Allow is kept, as API Gateway keeps it). */
async function decide(header: string | undefined): Promise<Principal> {
  const key = sha256(header ?? '');
  const kept = localDecisions()?.get(key);
  if (kept) return kept;
  const principal = await authenticate(luzContext(), header, await staffKey());
  localDecisions()?.set(key, principal);
  return principal;
}

export async function handler(event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  try {
    return allow(await decide(event.authorizationToken), event.methodArn);
  } catch (error) {
    // API Gateway turns exactly this message into 401; anything else would be a 500.
    if (error instanceof Unauthorized) throw new Error('Unauthorized');
    throw error;
  }
}
