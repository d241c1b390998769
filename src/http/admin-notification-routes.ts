/** Admin API: every notification owed, every attempt to deliver it, a re-send by hand, and one made due now for the worker. */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../methods/services.js';
import { oneOf } from './admin-bodies.js';
import { time } from './admin-views.js';
import { encodeOwedNotification } from '../protocol/notification-params.js';
import { findNotifications, NOTIFICATION_KINDS, notificationAttempts, requireNotification, type Notification } from '../core/notification-journal.js';
import type { DeliveryOptions } from '../worker/deliver-notification.js';
import { deliverNotification } from '../worker/deliver-notification.js';
import { resendNotificationNow } from '../core/notification-resend.js';

async function notificationView(services: Services, notification: Notification): Promise<Record<string, unknown>> {
  const attempts = await notificationAttempts(services, notification);
  const encoded = encodeOwedNotification(notification);
  return {
    notify_id: notification.notifyId,
    kind: notification.kind,
    pid: notification.pid,
    app_id: notification.appId,
    url: notification.url,
    charset: notification.charset,
    sign_type: encoded.signType,
    status: notification.status,
    attempts: notification.attempts,
    next_attempt_at: time(notification.nextAttemptAt),
    acknowledged_at: time(notification.acknowledgedAt),
    trade_no: notification.tradeNo,
    batch_no: notification.batchNo,
    params: encoded.params,
    created_at: time(notification.createdAt),
    attempt_log: attempts.map((a) => ({
      attempt: a.attempt,
      manual: a.manual,
      at: time(a.startedAt),
      url: a.url,
      request_body: a.requestBody,
      http_status: a.httpStatus,
      response_body: a.responseBody,
      error: a.error,
      delivered: a.delivered,
      next_attempt_at: time(a.nextAttemptAt),
    })),
  };
}

export async function adminNotificationRoutes(app: FastifyInstance, options: { services: Services; delivery: DeliveryOptions }): Promise<void> {
  const { services } = options;

  app.get<{ Querystring: Record<string, string | undefined> }>('/notifications', async (request) => {
    const { trade_no, notify_id, batch_no, kind, pid } = request.query;
    const found = await findNotifications(services, {
      tradeNo: trade_no,
      notifyId: notify_id,
      batchNo: batch_no,
      kind: oneOf('kind', kind, NOTIFICATION_KINDS),
      pid,
    });
    return { notifications: await Promise.all(found.map((n) => notificationView(services, n))) };
  });

  app.post<{ Params: { notifyId: string } }>('/notifications/:notifyId/resend', async (request) => {
    const notification = await requireNotification(services, request.params.notifyId);
    await deliverNotification(options.delivery, notification.id, true);
    return notificationView(services, await requireNotification(services, request.params.notifyId));
  });

  // Made due now and delivered by the worker, as a scheduled attempt (counted): the console's "resend now".
  app.post<{ Params: { notifyId: string } }>('/notifications/:notifyId/due-now', async (request, reply) => {
    const notification = await resendNotificationNow(services, request.params.notifyId);
    services.jobsAdded();
    return reply.code(202).send(await notificationView(services, notification));
  });
}
