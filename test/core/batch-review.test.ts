/**
 * The seller's review of a batch: every line with what its trade paid and has already refunded — nothing of
 * a trade that is unknown or another seller's — read in one statement, however many lines the batch has.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { linesUnderReview } from '../../src/core/batch-cashier.js';
import { findBatch } from '../../src/store/sql/batches.js';
import { submitBatch } from '../support/batch-flow.js';
import { describeEachEngine } from '../support/engines.js';
import { useHarness, newMerchant, newTrade } from '../support/harness.js';

/** Counts the statements run through the Kysely instance it is plugged into. */
class StatementCount implements KyselyPlugin {
  count = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.count++;
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

describeEachEngine('the batch review', (engine) => {
  const { harness, kit } = useHarness(engine, { clock: 'virtual' });

  describe('its lines', () => {
    it('carry their trade’s paid and refunded amounts, only for this seller’s trades, in one statement', async () => {
      const own = await Promise.all(Array.from({ length: 48 }, () => newTrade(harness, kit, { total_amount: '20.00' })));
      await kit.sdk.exec('alipay.trade.refund', { bizContent: { trade_no: own[0]!.trade_no, refund_amount: '5.00', out_request_no: 'EARLIER' } });
      const foreign = await newTrade(harness, await newMerchant(harness));
      const unknown = '2026112322001000000000000000';
      const lines = [...own.map((t) => ({ tradeNo: t.trade_no as string, amount: '1.00' })), { tradeNo: foreign.trade_no as string, amount: '1.00' }, { tradeNo: unknown, amount: '1.00' }];
      const submitted = await submitBatch(harness, kit, { lines });
      const batch = await findBatch(harness.tuikuan.services.store.db, kit.pid, submitted.params.batch_no!);
      assert.ok(batch);

      const counter = new StatementCount();
      const { services } = harness.tuikuan;
      const review = await linesUnderReview({ clock: services.clock, store: { ...services.store, db: services.store.db.withPlugin(counter) } }, batch);
      assert.equal(counter.count, 1, `one statement for ${lines.length} lines`);
      assert.equal(review.length, 50);
      assert.deepEqual([review[0]!.paid, review[0]!.refunded], [2000, 500]);
      assert.deepEqual([review[1]!.paid, review[1]!.refunded], [2000, 0]);
      assert.deepEqual([review[48]!.paid, review[48]!.refunded], [null, null], 'another seller’s trade shows nothing');
      assert.deepEqual([review[49]!.paid, review[49]!.refunded], [null, null], 'an unknown trade shows nothing');
      assert.deepEqual(review.map((line) => line.position), lines.map((_, i) => i));
    });
  });
});
