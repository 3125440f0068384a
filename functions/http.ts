// The one middy chain every route uses: headers → method → size → JSON body → schema → access → handler → errors.
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from '../core/zod';
import { authorize, Unauthorized, type Access, type Principal } from '../core/access';
import type { Context } from '../core/context';
import { invalidInputFrom } from '../core/fields';
import { InvalidInput, LuzError, statusOf } from '../core/errors';
import { maskCpf } from '../core/cpf';
import { errorField, logger } from '../core/log';
import { observe } from './observability';
import { luzContext } from './runtime';

/** Largest request body accepted; the contract's bodies are well under 1 KB. */
export const MAX_BODY_BYTES = 16 * 1024;

export class MethodNotAllowed extends LuzError {
  readonly code = 'method_not_allowed';
  constructor(readonly allowed: string) {
    super(`use ${allowed} for this route`);
  }
}
export class PayloadTooLarge extends LuzError {
  readonly code = 'payload_too_large';
  constructor() {
    super(`request body is larger than ${MAX_BODY_BYTES} bytes`);
  }
}
export class UnsupportedMediaType extends LuzError {
  readonly code = 'unsupported_media_type';
  constructor() {
    super('send the body as application/json');
  }
}

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;.*)?$/i;

export interface Reply {
  statusCode: number;
  body: unknown;
  /** A file instead of JSON (the segunda via PDF): sent base64-encoded, as API Gateway expects binary. */
  file?: { contentType: string; name: string; bytes: Buffer };
}

export const reply = (statusCode: number, body: unknown): Reply => ({ statusCode, body });
export const file = (contentType: string, name: string, bytes: Buffer): Reply => ({ statusCode: 200, body: undefined, file: { contentType, name, bytes } });

/**
 * Every answer may be read by the web app on another origin: credentials travel in the
 * Authorization header (never cookies), so `*` opens nothing a token does not (docs/WEB.md).
 */
export const CORS_HEADERS = { 'access-control-allow-origin': '*' } as const;

function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...CORS_HEADERS, ...headers },
    body: JSON.stringify(body),
  };
}

/**
 * Parses the raw body; undefined when there is none. The original clients send JSON with no
 * type or as a form (curl -d, Python's urllib), so a body that parses as JSON is accepted under
 * any type; a body that is not JSON is 415 when its type says it was never meant to be
 * (a form, XML, text) and 400 when it claims to be JSON.
 */
function parseBody(event: APIGatewayProxyEvent, method: 'GET' | 'POST'): unknown {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) throw new PayloadTooLarge();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    if (method === 'GET') return undefined; // a GET body is optional: ignore what is not JSON
    const contentType = event.headers?.['content-type'];
    if (contentType !== undefined && !JSON_TYPE.test(contentType)) throw new UnsupportedMediaType();
    throw new InvalidInput('body is not valid JSON');
  }
}

/** Fields of the request: a POST's JSON object; a GET's query string over any JSON body it carries. */
function requestFields(event: APIGatewayProxyEvent, method: 'GET' | 'POST'): unknown {
  const body = parseBody(event, method);
  if (method === 'POST') {
    if (body === undefined) throw new InvalidInput('body must be a JSON object');
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new InvalidInput('body must be a JSON object');
    }
    return body;
  }
  const fromBody = typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {};
  return { ...fromBody, ...(event.queryStringParameters ?? {}) };
}

function validate<Schema extends z.ZodMiniType>(schema: Schema, fields: unknown): z.output<Schema> {
  const result = schema.safeParse(fields);
  if (result.success) return result.data;
  throw invalidInputFrom(result.error, fields);
}

function errorResponse(error: unknown): APIGatewayProxyResult {
  if (error instanceof LuzError) {
    const status = statusOf(error);
    if (status !== undefined) {
      const headers: Record<string, string> = error instanceof MethodNotAllowed ? { allow: error.allowed } : {};
      const body = { error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) } };
      return json(status, body, headers);
    }
  }
  // A real fault: log it for operators (with the request's correlation id), tell the client nothing internal.
  logger.error('unhandled', { error: errorField(error, true) });
  return json(500, { error: { code: 'internal', message: 'internal error; it has been logged' } });
}

/** The principal the authorizer established (API Gateway puts its context on every request). */
function principalOf(event: APIGatewayProxyEvent): Principal {
  const context = event.requestContext?.authorizer as Record<string, unknown> | null | undefined;
  if (context?.role === 'staff') return { role: 'staff' };
  if (context?.role === 'customer' && typeof context.customerId === 'string') {
    return { role: 'customer', customerId: context.customerId };
  }
  // Only reachable when a route is deployed without the authorizer: refuse rather than trust.
  throw new Unauthorized('no authenticated principal on this request');
}

/** Builds a route handler: the shared chain around one domain call. */
export function route<Schema extends z.ZodMiniType>(options: {
  method: 'GET' | 'POST';
  /** staff: staff only; owner: staff, or the customer whose `id` the request names. */
  access: Access;
  schema: Schema;
  /** `principal`: who asks, for the few routes that record it (an acknowledgement says staff or customer). */
  handle: (input: z.output<Schema>, context: Context, principal: Principal) => Promise<Reply>;
}) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(httpHeaderNormalizer())
    .use(observe())
    .use({ onError: (request) => void (request.response = errorResponse(request.error)) })
    .handler(async (event) => {
      if (event.httpMethod !== options.method) throw new MethodNotAllowed(options.method);
      const principal = principalOf(event);
      if (options.access === 'staff') authorize(principal, 'staff', undefined);
      const input = validate(options.schema, requestFields(event, options.method));
      const customerId = (input as { id?: string }).id;
      // Every later line of this request says whose it was, masked (LGPD).
      logger.appendKeys({ principal: principal.role, ...(customerId ? { cpf: maskCpf(customerId) } : {}) });
      authorize(principal, options.access, customerId);
      const { statusCode, body, file } = await options.handle(input, luzContext(), principal);
      if (file) {
        return {
          statusCode,
          headers: { 'content-type': file.contentType, 'content-disposition': `attachment; filename="${file.name}"`, ...CORS_HEADERS },
          body: file.bytes.toString('base64'),
          isBase64Encoded: true,
        };
      }
      return json(statusCode, body);
    });
}
