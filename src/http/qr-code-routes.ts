/**
 * What a precreate `qr_code` opens (`/qr/<code>`, as Alipay's `https://qr.alipay.com/bax…`): scanned with a
 * phone — here, opened in a browser — it is the order's cashier, where the buyer logs in ("scans") and pays.
 */
import type { FastifyInstance } from 'fastify';

export async function qrCodeRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Params: { code: string } }>('/qr/:code', async (request, reply) => {
    return reply.redirect(`/cashier/pay/${encodeURIComponent(request.params.code)}`, 302);
  });
}
