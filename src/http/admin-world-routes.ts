/**
 * Admin API: the whole world at once — a reset back to its seed, and snapshots of every row and the clock,
 * taken and restored between tests (core/world-snapshots.ts says how, and why so). These calls wait outside the
 * world gate: they close it themselves, until the requests inside have finished.
 */
import type { FastifyInstance } from 'fastify';
import type { SnapshotSummary, WorldSnapshots, WorldState } from '../core/world-snapshots.js';
import { formatChinaTime } from '../protocol/china-time.js';

function snapshotView(snapshot: SnapshotSummary): Record<string, unknown> {
  return {
    snapshot_id: snapshot.id,
    taken_at: formatChinaTime(snapshot.takenAt),
    clock_at: formatChinaTime(snapshot.clockAt),
    clock_at_ms: snapshot.clockAt,
    rows: snapshot.rows,
  };
}

function stateView(state: WorldState): Record<string, unknown> {
  return { now: formatChinaTime(state.clockAt), now_ms: state.clockAt, rows: state.rows };
}

export async function adminWorldRoutes(app: FastifyInstance, options: { world: WorldSnapshots }): Promise<void> {
  const { world } = options;
  const alone = { config: { outsideWorldGate: true } };

  app.post('/reset', alone, async () => stateView(await world.reset()));

  app.post('/snapshots', alone, async (_request, reply) => reply.code(201).send(snapshotView(await world.take())));

  app.get('/snapshots', async () => ({ snapshots: world.list().map(snapshotView) }));

  app.post<{ Params: { id: string } }>('/snapshots/:id/restore', alone, async (request) => {
    const restored = await world.restore(request.params.id);
    return { ...snapshotView(restored), now: formatChinaTime(restored.clockAt), now_ms: restored.clockAt };
  });

  app.delete<{ Params: { id: string } }>('/snapshots/:id', async (request, reply) => {
    world.drop(request.params.id);
    return reply.code(204).send();
  });
}
