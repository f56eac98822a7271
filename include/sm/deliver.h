/* deliver.h - a routed record delivered where its department works
 *
 * sm-route gives a record a queue; each queue of route.queues may list
 * destinations under deliver: (sm.yaml(5)): e-mail (SMTP, through
 * route.smtp), a webhook (a JSON POST, e.g. a Mattermost, Slack or Teams
 * incoming webhook) and Open311 (a GeoReport v2 service request).
 *
 * Every delivery is recorded in the state database, per destination
 * ("queue/name") and record id:
 *
 *   ("delivery", "queue/name", id)  {"at": time, "open311_id": ...}: sent
 *   ("outbox", "queue/name", id)    {"status": "pending" | "sending" |
 *                                    "unknown", "payload": ..., "tries",
 *                                    "error", "since", "host", "pid"}
 *
 * The guarantee: a destination is sent a record at most once, whatever
 * happens to the process, and exactly once when it answers.
 *
 *  - Before a send, the outbox entry is marked "sending", durably, in a
 *    transaction that first checks that no delivery is recorded and no
 *    other process is sending it: two runs at once never both send.
 *  - After it, the delivery is recorded and the outbox entry removed in
 *    one commit.  A failure (refused, timed out, 5xx after the retries, an
 *    SMTP or Open311 error) leaves the entry "pending" with its rendered
 *    payload: the next run's sm_deliver_retry sends it again, and a record
 *    seen again is rendered and sent anew.
 *  - A process killed between the send and the record leaves "sending".
 *    It is never sent again by itself: sm_deliver_retry reports it once
 *    (the process that wrote it is gone) and marks it "unknown" until
 *    someone who checked with the department says what happened
 *    (sm_deliver_resolve).  A record seen again lists it as unknown.
 *  - What the libraries retry inside one send (a 5xx answer, a connection
 *    reset, a timeout: http.h; a 4xx SMTP reply: mail.h) may reach a
 *    destination twice when the first answer was lost on the way back;
 *    webhooks get an Idempotency-Key header and e-mails a Message-ID made
 *    from the record and the destination, by which such a copy is known.
 *
 * The record must be committed before it is delivered (its case number
 * is final): call sm_deliver_record and sm_deliver_retry with no group
 * of sm_state_begin open, or the marks above are not durable when the
 * send goes out.
 */
#ifndef SM_DELIVER_H
#define SM_DELIVER_H

#include <jansson.h>

#include "sm/account.h"
#include "sm/config.h"
#include "sm/error.h"
#include "sm/state.h"
#include "sm/template.h"

struct sm_deliver;

struct sm_deliver_options {
	/* given to every template (sm_template_options) */
	const struct sm_template_formatter *formatters;
	size_t nformatters;
	sm_template_partial_fn *partial;
	void *partial_arg;
	/*
	 * What happened, told as it happens: a destination that failed
	 * (code: EX_TEMPFAIL to try later, EX_NOPERM, EX_UNAVAILABLE,
	 * EX_DATAERR when a template cannot render the record), an
	 * interrupted send found (EX_UNAVAILABLE), and with code 0 a note
	 * for -v (sent, already sent).  name is "queue/destination".
	 * Secrets (passwords, keys, webhook URLs) never appear.
	 */
	sm_report_fn *report;
	void *report_arg;
};

/*
 * Reads route.smtp and the deliver: lists of route.queues (the other keys
 * of route and of each queue are not looked at), compiles the templates,
 * reads the secrets (SMTP password, webhook URLs given by url_env or
 * url_file, Open311 API keys).  route may be NULL (no deliveries).  st is
 * borrowed and may be NULL when nothing will be delivered (dry runs read
 * it when given).  NULL with err naming file:line:column on a
 * configuration error.
 */
struct sm_deliver *sm_deliver_new(const struct sm_config *cfg,
    const json_t *route, struct sm_state *st,
    const struct sm_deliver_options *opt, struct sm_error *err);

void sm_deliver_free(struct sm_deliver *d);

/* The number of destinations queue has (0 for an unknown queue). */
size_t sm_deliver_count(const struct sm_deliver *d, const char *queue);

/* What became of one record; arrays and strings are new references. */
struct sm_delivery {
	json_t *delivered;	/* names that have it, now or before:
				 * route.delivered */
	json_t *pending;	/* names that failed now: in the outbox */
	json_t *unknown;	/* names whose send was interrupted: not sent
				 * again */
	json_t *open311_id;	/* the service_request_id (or token) an
				 * Open311 destination gave: route.open311_id;
				 * NULL when none */
	int status;		/* the worst sysexits code of the destinations
				 * (EX_TEMPFAIL when some are pending), 0 */
};

/*
 * Delivers rec (a routed record: it holds route.case and the rest) to
 * every destination of queue, one after the other, synchronously, and
 * fills out (which sm_delivery_clear frees; it is filled even on error).
 * A destination that already has it is not sent it again.  With dry_run
 * nothing is sent and nothing stored: out lists what the state says was
 * delivered before.  Returns 0, also when destinations failed (they are
 * in out->pending and were reported), or -1 with err set when the record
 * has no id (out->status EX_DATAERR) or the state database failed
 * (EX_CANTCREAT).
 */
int sm_deliver_record(struct sm_deliver *d, const char *queue,
    const json_t *rec, int dry_run, struct sm_delivery *out,
    struct sm_error *err);

void sm_delivery_clear(struct sm_delivery *out);

struct sm_deliver_counts {
	size_t delivered;	/* sent now */
	size_t pending;		/* still in the outbox, to try next run */
	size_t unknown;		/* interrupted sends, waiting for a person */
};

/*
 * Sends the outbox that earlier runs left (call it once, at start-up),
 * reports the interrupted sends it finds, and fills counts (may be NULL).
 * An entry whose destination is no longer configured stays, reported with
 * EX_CONFIG.  With dry_run nothing is sent or stored.  Returns how many
 * deliveries are still pending (sm-route then exits 75), or -1 with err
 * set when the state database failed.
 */
int sm_deliver_retry(struct sm_deliver *d, int dry_run,
    struct sm_deliver_counts *counts, struct sm_error *err);

/*
 * Settles an unknown (interrupted) delivery of record id to queue's
 * destination name after a person checked: sent non-zero records it as
 * delivered, zero makes it pending, to be sent by the next
 * sm_deliver_retry.  0, or -1 with err set (no such entry, or it is not
 * unknown).
 */
int sm_deliver_resolve(struct sm_deliver *d, const char *queue,
    const char *name, const char *id, int sent, struct sm_error *err);

#endif
