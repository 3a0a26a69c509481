"""Log lines as JSON objects, one per line on stdout, for the platform's log collector."""

import json
import logging

from django.utils import timezone


class JsonFormatter(logging.Formatter):
    """time, level, logger, message; the request's method, path and status when Django
    logs a request; the exception's traceback when there is one."""

    def format(self, record):
        entry = {
            "time": timezone.now().isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            # The path only: query strings may carry what people typed.
            entry.update(method=request.method, path=request.path)
        if hasattr(record, "status_code"):
            entry["status"] = record.status_code
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
