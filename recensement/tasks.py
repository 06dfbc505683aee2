"""Scheduled jobs of the recensement, run by db_worker when enqueued."""

from django_tasks import task

from recensement.services import purge_recensement


@task()
def purge_recensement_task() -> int:
    """The retention purge of every collectivité (same code as `manage.py purge_recensement`);
    returns how many registrants were deleted."""
    return sum(count.recenses for count in purge_recensement())
