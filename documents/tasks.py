"""Celery task of the periodic report: generate one file row's .docx and PDF.

Idempotent: a file already done is returned as it is; a failure marks the row failed so the
page stops polling and says so.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from documents.models import FileStatus, ReportFile
from documents.services import generate

logger = logging.getLogger(__name__)


@shared_task(name="documents.generate_report_file", acks_late=True, reject_on_worker_lost=True)
def generate_report_file(file_id: int) -> str:
    try:
        return generate(file_id).status
    except Exception as error:
        logger.exception("periodic report file %s failed", file_id)
        ReportFile.objects.filter(pk=file_id).update(
            status=FileStatus.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
