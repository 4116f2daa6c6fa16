"""Messages that leave the site: SMS through an outbox, and the channel each person chooses.

- ``sms_templates``: the approved SMS templates (China's rules: template id + parameters under the
  committee's approved signature, never free text) and the provider template ids from settings.
- ``backends``: the gateways (Tencent Cloud, Alibaba Cloud through their SDKs; console and locmem
  for development and tests; none).
- ``outbox``: every SMS is a row (``SmsMessage``), written in the caller's transaction, sent after
  commit, retried with back-off by the scheduled job, capped per phone and per committee.
- ``claims``: what every outbox shares (this one and the WeChat outbox, ``members.wechat.outbox``):
  claiming due rows so that no two senders send one, back-off, giving up interrupted rows.
- ``channels``: how each person wants to be told (SMS, e-mail, only on the site, and whatever an
  app registers), and the one function that sends a notification's outward copy.
"""
