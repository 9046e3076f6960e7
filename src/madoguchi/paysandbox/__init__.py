"""A sandbox payment gateway (決済代行のサンドボックス) served by madoguchi itself.

It plays an outside payment company so that the whole online payment flow — the payer
sent to the gateway's page, test cards that succeed, are declined or time out, signed
server-to-server notifications that arrive late, twice or out of order, status queries
and refunds — runs in development, in the demo and in the browser tests without a
contract with a real provider. It shares nothing with `payments` but the wire format:
its own models, its own URL space (`/sandbox-gateway/`), its own secret.

Never offer it to residents of a real deployment: remove `"sandbox"` from
`PAYMENT_GATEWAYS` (and the app from INSTALLED_APPS) there.
"""
