"""Payment methods, payments against settlements, and payment-provider webhooks."""
