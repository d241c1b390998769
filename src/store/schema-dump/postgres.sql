-- The schema the migrations (src/store/migrations/) make on PostgreSQL. Generated: do not edit.
-- Regenerate with `npm run schema:dump` after adding a migration; test/store/schema.test.ts checks it.

table app_auth_tokens
  column token text not null
  column app_id text not null
  column pid text not null
  column created_at bigint not null
  column revoked_at bigint
  constraint app_auth_tokens_app_id_fkey FOREIGN KEY (app_id) REFERENCES apps(app_id)
  constraint app_auth_tokens_pid_fkey FOREIGN KEY (pid) REFERENCES merchants(pid)
  constraint app_auth_tokens_pkey PRIMARY KEY (token)

table apps
  column app_id text not null
  column pid text not null
  column app_public_key text
  column rsa_public_key text
  column created_at bigint not null
  column key_mode text not null default 'public_key'::text
  column app_cert_pem text
  column app_cert_sn text
  column aes_key text
  column message_url text
  column notify_wait_buyer_pay integer not null default 0
  constraint apps_pid_fkey FOREIGN KEY (pid) REFERENCES merchants(pid)
  constraint apps_pkey PRIMARY KEY (app_id)

table batch_lines
  column batch_id bigint not null
  column position integer not null
  column trade_no text not null
  column amount bigint not null
  column amount_text text not null
  column reason text not null
  column result text
  column refund_id bigint
  column charge_fee bigint
  column processed_at bigint
  column attempts integer not null default 0
  column last_error text
  constraint batch_lines_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES batches(id)
  constraint batch_lines_pk PRIMARY KEY (batch_id, "position")

table batches
  column id bigint not null default nextval('batches_id_seq'::regclass)
  column batch_no text not null
  column partner_pid text not null
  column seller_pid text not null
  column token text not null
  column status text not null
  column charset text not null
  column sign_type text not null
  column notify_url text
  column return_url text
  column refund_date text not null
  column batch_num integer not null
  column pwd_failures integer not null default 0
  column success_num integer
  column result_details text
  column created_at bigint not null
  column confirmed_at bigint
  column completed_at bigint
  column login_failures integer not null default 0
  constraint batches_partner_batch_no UNIQUE (partner_pid, batch_no)
  constraint batches_partner_pid_fkey FOREIGN KEY (partner_pid) REFERENCES merchants(pid)
  constraint batches_pkey PRIMARY KEY (id)
  constraint batches_seller_pid_fkey FOREIGN KEY (seller_pid) REFERENCES merchants(pid)
  constraint batches_token_key UNIQUE (token)

table buyer_bank_cards
  column buyer_user_id text not null
  column position integer not null
  column bank_code text not null
  column fund_type text not null
  column card_tail text not null
  column available bigint
  constraint buyer_bank_cards_available_not_negative CHECK (available IS NULL OR available >= 0)
  constraint buyer_bank_cards_buyer_user_id_fkey FOREIGN KEY (buyer_user_id) REFERENCES buyers(buyer_user_id)
  constraint buyer_bank_cards_pk PRIMARY KEY (buyer_user_id, "position")

table buyer_coupons
  column voucher_id text not null
  column buyer_user_id text not null
  column fund_channel text not null
  column name text not null
  column merchant_pid text
  column amount bigint not null
  column remaining bigint not null
  column whole_only integer not null
  column expires_at bigint
  column created_at bigint not null
  constraint buyer_coupons_buyer_user_id_fkey FOREIGN KEY (buyer_user_id) REFERENCES buyers(buyer_user_id)
  constraint buyer_coupons_pkey PRIMARY KEY (voucher_id)
  constraint buyer_coupons_remaining_within_amount CHECK (remaining >= 0 AND remaining <= amount)

table buyers
  column buyer_user_id text not null
  column logon_id text not null
  column name text not null
  column login_password_hash text not null
  column payment_password_hash text not null
  column account_status text not null default 'normal'::text
  column balance bigint not null default 0
  column yuebao bigint not null default 0
  column huabei_limit bigint not null default 0
  column huabei_used bigint not null default 0
  column points bigint not null default 0
  column payment_password_failures integer not null default 0
  column payment_password_failures_reset_at bigint
  column created_at bigint not null
  constraint buyers_funds_not_negative CHECK (balance >= 0 AND yuebao >= 0 AND huabei_limit >= 0 AND huabei_used >= 0 AND points >= 0)
  constraint buyers_logon_id_key UNIQUE (logon_id)
  constraint buyers_pkey PRIMARY KEY (buyer_user_id)

table cashier_sessions
  column id text not null
  column batch_id bigint
  column pay_order_id bigint
  column buyer_user_id text
  column csrf_token text not null
  column logged_in integer not null default 0
  column created_at bigint not null
  column expires_at bigint not null
  constraint cashier_sessions_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES batches(id)
  constraint cashier_sessions_buyer_user_id_fkey FOREIGN KEY (buyer_user_id) REFERENCES buyers(buyer_user_id)
  constraint cashier_sessions_one_subject CHECK ((batch_id IS NULL) <> (pay_order_id IS NULL))
  constraint cashier_sessions_pay_order_id_fkey FOREIGN KEY (pay_order_id) REFERENCES pay_orders(id)
  constraint cashier_sessions_pkey PRIMARY KEY (id)

table faults
  column id bigint not null default nextval('faults_id_seq'::regclass)
  column method text not null
  column sub_code text not null
  column phase text not null
  column remaining integer not null
  column created_at bigint not null
  constraint faults_pkey PRIMARY KEY (id)

table fund_allocations
  column refund_id bigint not null
  column position integer not null
  column fund_channel text not null
  column fund_type text
  column bank_code text
  column amount bigint not null
  column real_amount bigint not null
  column dback_status text
  column bank_ack_time bigint
  column est_bank_receipt_time bigint
  column returned_to text
  constraint fund_allocations_pk PRIMARY KEY (refund_id, "position")
  constraint fund_allocations_refund_id_fkey FOREIGN KEY (refund_id) REFERENCES refunds(id)

table jobs
  column id bigint not null default nextval('jobs_id_seq'::regclass)
  column kind text not null
  column subject text not null
  column run_at bigint not null
  column attempts integer not null default 0
  column last_error text
  column locked_by text
  column locked_until bigint
  column created_at bigint not null
  column revision integer not null default 0
  column dead_at bigint
  constraint jobs_kind_subject UNIQUE (kind, subject)
  constraint jobs_pkey PRIMARY KEY (id)

table ledger_entries
  column id bigint not null default nextval('ledger_entries_id_seq'::regclass)
  column pid text not null
  column amount bigint not null
  column kind text not null
  column trade_no text
  column refund_id bigint
  column memo text
  column created_at bigint not null
  constraint ledger_entries_pid_fkey FOREIGN KEY (pid) REFERENCES merchants(pid)
  constraint ledger_entries_pkey PRIMARY KEY (id)

table merchants
  column pid text not null
  column name text not null
  column email text not null
  column md5_key text not null
  column login_password_hash text not null
  column payment_password_hash text not null
  column balance bigint not null default 0
  column fee_rate_ppm integer not null default 0
  column refund_window_days integer not null
  column pwd_refund_enabled integer not null default 1
  column default_fund_mix text not null
  column dback_delay_seconds integer not null
  column dback_outcome text not null default 'S'::text
  column mapi_rsa_public_key text
  column mapi_dsa_public_key text
  column created_at bigint not null
  column account_status text not null default 'normal'::text
  column non_refundable_products text not null default '[]'::text
  constraint merchants_balance_not_negative CHECK (balance >= 0)
  constraint merchants_email_key UNIQUE (email)
  constraint merchants_pkey PRIMARY KEY (pid)

table notification_attempts
  column id bigint not null default nextval('notification_attempts_id_seq'::regclass)
  column notification_id bigint not null
  column attempt integer not null
  column started_at bigint not null
  column url text not null
  column request_body text not null
  column http_status integer
  column response_body text
  column error text
  column delivered integer not null
  column manual integer not null default 0
  column next_attempt_at bigint
  constraint notification_attempts_notification_id_fkey FOREIGN KEY (notification_id) REFERENCES notifications(id)
  constraint notification_attempts_pkey PRIMARY KEY (id)

table notifications
  column id bigint not null default nextval('notifications_id_seq'::regclass)
  column notify_id text not null
  column kind text not null
  column pid text not null
  column app_id text
  column url text not null
  column charset text not null
  column sign_type text not null
  column params text not null
  column status text not null
  column attempts integer not null default 0
  column next_attempt_at bigint
  column acknowledged_at bigint
  column trade_no text
  column refund_id bigint
  column batch_no text
  column created_at bigint not null
  column facts text
  constraint notifications_notify_id_key UNIQUE (notify_id)
  constraint notifications_pkey PRIMARY KEY (id)

table pay_orders
  column id bigint not null default nextval('pay_orders_id_seq'::regclass)
  column token text not null
  column method text not null
  column app_id text not null
  column seller_pid text not null
  column out_trade_no text not null
  column total_amount bigint not null
  column subject text not null
  column body text
  column product_code text not null
  column fingerprint text not null
  column charset text not null
  column return_url text
  column notify_url text
  column quit_url text
  column status text not null
  column trade_no text
  column login_failures integer not null default 0
  column created_at bigint not null
  column expires_at bigint not null
  column closed_at bigint
  column paid_at bigint
  column buyer_user_id text
  column goods_type text
  column passback_params text
  column enable_pay_channels text
  column disable_pay_channels text
  column request_count integer not null default 1
  constraint pay_orders_app_id_fkey FOREIGN KEY (app_id) REFERENCES apps(app_id)
  constraint pay_orders_pkey PRIMARY KEY (id)
  constraint pay_orders_seller_out_trade_no UNIQUE (seller_pid, out_trade_no)
  constraint pay_orders_seller_pid_fkey FOREIGN KEY (seller_pid) REFERENCES merchants(pid)
  constraint pay_orders_status CHECK (status = ANY (ARRAY['WAIT_BUYER_PAY'::text, 'TRADE_SUCCESS'::text, 'TRADE_CLOSED'::text]))
  constraint pay_orders_token_key UNIQUE (token)

table platform
  column id integer not null
  column private_key_pem text not null
  column public_key_pem text not null
  column virtual_now bigint
  column created_at bigint not null
  column ca_key_pem text
  column root_cert_pem text
  column root_cert_sn text
  column app_issuer_cert_pem text
  column platform_cert_pem text
  column platform_cert_sn text
  constraint platform_pkey PRIMARY KEY (id)

table refunds
  column id bigint not null default nextval('refunds_id_seq'::regclass)
  column trade_no text not null
  column out_request_no text not null
  column refund_amount bigint not null
  column status text not null
  column refund_reason text
  column source text not null
  column batch_no text
  column operator_id text
  column store_id text
  column terminal_id text
  column send_back_fee bigint not null default 0
  column refund_charge_fee bigint not null default 0
  column gmt_refund_pay bigint
  column attempts integer not null default 0
  column last_error text
  column accepted_at bigint
  column next_attempt_at bigint
  column created_at bigint not null
  column updated_at bigint not null
  constraint refunds_pkey PRIMARY KEY (id)
  constraint refunds_trade_no_fkey FOREIGN KEY (trade_no) REFERENCES trades(trade_no)
  constraint refunds_trade_out_request_no UNIQUE (trade_no, out_request_no)

table trade_fund_bills
  column trade_no text not null
  column position integer not null
  column fund_channel text not null
  column fund_type text
  column bank_code text
  column amount bigint not null
  column real_amount bigint not null
  column refunded_amount bigint not null default 0
  constraint trade_fund_bills_pk PRIMARY KEY (trade_no, "position")
  constraint trade_fund_bills_refund_within_amount CHECK (refunded_amount >= 0 AND refunded_amount <= amount)
  constraint trade_fund_bills_trade_no_fkey FOREIGN KEY (trade_no) REFERENCES trades(trade_no)

table trades
  column trade_no text not null
  column out_trade_no text not null
  column seller_pid text not null
  column app_id text not null
  column subject text not null
  column body text
  column product_code text not null
  column total_amount bigint not null
  column receipt_amount bigint not null
  column buyer_pay_amount bigint not null
  column point_amount bigint not null
  column invoice_amount bigint not null
  column discount_amount bigint not null
  column mdiscount_amount bigint not null
  column voucher_detail_list text not null
  column buyer_user_id text not null
  column buyer_logon_id text not null
  column status text not null
  column frozen integer not null default 0
  column refund_allowed integer not null default 1
  column fee_rate_ppm integer not null
  column charge_amount bigint not null
  column refunded_amount bigint not null default 0
  column refunded_charge_fee bigint not null default 0
  column refunded_send_back_fee bigint not null default 0
  column pending_refund_amount bigint not null default 0
  column refund_count integer not null default 0
  column notify_url text
  column charset text not null
  column store_id text
  column terminal_id text
  column operator_id text
  column dback_outcome text
  column gmt_create bigint not null
  column gmt_payment bigint
  column gmt_close bigint
  column buyer_account_status text not null default 'normal'::text
  column passback_params text
  column expires_at bigint
  constraint trades_pkey PRIMARY KEY (trade_no)
  constraint trades_refunds_within_total CHECK (refunded_amount >= 0 AND pending_refund_amount >= 0 AND (refunded_amount + pending_refund_amount) <= total_amount)
  constraint trades_seller_out_trade_no UNIQUE (seller_pid, out_trade_no)
  constraint trades_seller_pid_fkey FOREIGN KEY (seller_pid) REFERENCES merchants(pid)

CREATE INDEX buyer_coupons_buyer ON public.buyer_coupons USING btree (buyer_user_id)
CREATE INDEX jobs_run_at ON public.jobs USING btree (run_at)
CREATE INDEX ledger_entries_pid ON public.ledger_entries USING btree (pid)
CREATE INDEX notification_attempts_notification ON public.notification_attempts USING btree (notification_id)
CREATE INDEX notifications_trade_no ON public.notifications USING btree (trade_no)

CREATE OR REPLACE FUNCTION public.tuikuan_refuse(reason text)
 RETURNS bigint
 LANGUAGE plpgsql
AS $function$
begin
  raise exception using errcode = 'TKR01', message = reason;
end
$function$
