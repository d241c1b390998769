-- The schema the migrations (src/store/migrations/) make on SQLite. Generated: do not edit.
-- Regenerate with `npm run schema:dump` after adding a migration; test/store/schema.test.ts checks it.

table app_auth_tokens
  column token text
  column app_id text not null
  column pid text not null
  column created_at bigint not null
  column revoked_at bigint
  foreign key (app_id) references apps (app_id)
  foreign key (pid) references merchants (pid)
  primary key (token)

table apps
  column app_id text
  column pid text not null
  column app_public_key text
  column rsa_public_key text
  column created_at bigint not null
  column key_mode text not null default 'public_key'
  column app_cert_pem text
  column app_cert_sn text
  column aes_key text
  column message_url text
  column notify_wait_buyer_pay integer not null default 0
  foreign key (pid) references merchants (pid)
  primary key (app_id)

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
  foreign key (batch_id) references batches (id)
  primary key (batch_id, position)

table batches
  column id integer
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
  foreign key (partner_pid) references merchants (pid)
  foreign key (seller_pid) references merchants (pid)
  primary key (id) autoincrement
  unique (partner_pid, batch_no)
  unique (token)

table buyer_bank_cards
  column buyer_user_id text not null
  column position integer not null
  column bank_code text not null
  column fund_type text not null
  column card_tail text not null
  column available bigint
  check buyer_bank_cards_available_not_negative (available is null or available >= 0)
  foreign key (buyer_user_id) references buyers (buyer_user_id)
  primary key (buyer_user_id, position)

table buyer_coupons
  column voucher_id text
  column buyer_user_id text not null
  column fund_channel text not null
  column name text not null
  column merchant_pid text
  column amount bigint not null
  column remaining bigint not null
  column whole_only integer not null
  column expires_at bigint
  column created_at bigint not null
  check buyer_coupons_remaining_within_amount (remaining >= 0 and remaining <= amount)
  foreign key (buyer_user_id) references buyers (buyer_user_id)
  primary key (voucher_id)

table buyers
  column buyer_user_id text
  column logon_id text not null
  column name text not null
  column login_password_hash text not null
  column payment_password_hash text not null
  column account_status text not null default 'normal'
  column balance bigint not null default 0
  column yuebao bigint not null default 0
  column huabei_limit bigint not null default 0
  column huabei_used bigint not null default 0
  column points bigint not null default 0
  column payment_password_failures integer not null default 0
  column payment_password_failures_reset_at bigint
  column created_at bigint not null
  check buyers_funds_not_negative (balance >= 0 and yuebao >= 0 and huabei_limit >= 0 and huabei_used >= 0 and points >= 0)
  primary key (buyer_user_id)
  unique (logon_id)

table cashier_sessions
  column id text
  column batch_id bigint
  column pay_order_id bigint
  column buyer_user_id text
  column csrf_token text not null
  column logged_in integer not null default 0
  column created_at bigint not null
  column expires_at bigint not null
  check cashier_sessions_one_subject ((batch_id is null) <> (pay_order_id is null))
  foreign key (batch_id) references batches (id)
  foreign key (buyer_user_id) references buyers (buyer_user_id)
  foreign key (pay_order_id) references pay_orders (id)
  primary key (id)

table faults
  column id integer
  column method text not null
  column sub_code text not null
  column phase text not null
  column remaining integer not null
  column created_at bigint not null
  primary key (id) autoincrement

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
  foreign key (refund_id) references refunds (id)
  primary key (refund_id, position)

table jobs
  column id integer
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
  primary key (id) autoincrement
  unique (kind, subject)

table ledger_entries
  column id integer
  column pid text not null
  column amount bigint not null
  column kind text not null
  column trade_no text
  column refund_id bigint
  column memo text
  column created_at bigint not null
  foreign key (pid) references merchants (pid)
  primary key (id) autoincrement

table merchants
  column pid text
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
  column dback_outcome text not null default 'S'
  column mapi_rsa_public_key text
  column mapi_dsa_public_key text
  column created_at bigint not null
  column account_status text not null default 'normal'
  column non_refundable_products text not null default '[]'
  check merchants_balance_not_negative (balance >= 0)
  primary key (pid)
  unique (email)

table notification_attempts
  column id integer
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
  foreign key (notification_id) references notifications (id)
  primary key (id) autoincrement

table notifications
  column id integer
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
  primary key (id) autoincrement
  unique (notify_id)

table pay_orders
  column id integer
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
  check pay_orders_status (status in ('WAIT_BUYER_PAY', 'TRADE_SUCCESS', 'TRADE_CLOSED'))
  foreign key (app_id) references apps (app_id)
  foreign key (seller_pid) references merchants (pid)
  primary key (id) autoincrement
  unique (seller_pid, out_trade_no)
  unique (token)

table platform
  column id integer
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
  primary key (id)

table refunds
  column id integer
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
  foreign key (trade_no) references trades (trade_no)
  primary key (id) autoincrement
  unique (trade_no, out_request_no)

table trade_fund_bills
  column trade_no text not null
  column position integer not null
  column fund_channel text not null
  column fund_type text
  column bank_code text
  column amount bigint not null
  column real_amount bigint not null
  column refunded_amount bigint not null default 0
  check trade_fund_bills_refund_within_amount (refunded_amount >= 0 and refunded_amount <= amount)
  foreign key (trade_no) references trades (trade_no)
  primary key (trade_no, position)

table trades
  column trade_no text
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
  column buyer_account_status text not null default 'normal'
  column passback_params text
  column expires_at bigint
  check trades_refunds_within_total (refunded_amount >= 0 and pending_refund_amount >= 0 and refunded_amount + pending_refund_amount <= total_amount)
  foreign key (seller_pid) references merchants (pid)
  primary key (trade_no)
  unique (seller_pid, out_trade_no)

CREATE INDEX "buyer_coupons_buyer" on "buyer_coupons" ("buyer_user_id")
CREATE INDEX "jobs_run_at" on "jobs" ("run_at")
CREATE INDEX "ledger_entries_pid" on "ledger_entries" ("pid")
CREATE INDEX "notification_attempts_notification" on "notification_attempts" ("notification_id")
CREATE INDEX "notifications_trade_no" on "notifications" ("trade_no")
