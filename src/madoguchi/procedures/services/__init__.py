"""The procedures services, the only way other code changes procedures' data. One module
per part; import the module you need::

    from madoguchi.procedures.services import applying, processing

- `common`: the status machine (`change_status`), timeline, numbers, status e-mails;
- `catalog`: procedures, categories and search; `forms`: form versions (draft, publish);
- `applying`: drafts, steps, attachments, submitting; `signatures`: signing and
  verifying (公的個人認証); `processing`: staff work (assignment, review, corrections,
  notes, decisions); `applicant`: what applicants do after submitting (messages,
  answering corrections, withdrawing); `fees`: invoices through payments;
  `lifeevents`: one-stop life events; `retention`: deleting and anonymising old data.
"""
