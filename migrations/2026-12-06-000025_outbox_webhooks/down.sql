DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_subscriptions;
DROP TABLE outbox_events;
DROP FUNCTION outbox_events_append_only();
