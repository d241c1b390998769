/** Where a request reached this server, as the URLs handed back to its caller must name it. */
import type { FastifyRequest } from 'fastify';

/** `http://host:port` of the request (its Host header; the scheme of the connection). */
export function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}
