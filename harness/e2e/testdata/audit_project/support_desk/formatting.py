import humanize


def ticket_label(number):
    """'ticket #1,024' rather than 'ticket #1024'."""
    return f"ticket #{humanize.intcomma(number)}"
