# Varnish between nginx and gunicorn (docs/deploy.md, «A caching proxy: Varnish»).
#
#   visitor ──TLS──> nginx :443 ──> Varnish 127.0.0.1:6081 ──> gunicorn 127.0.0.1:8000
#   Wagtail's purges (FRONTEND_CACHE_PURGE_URL) ──> Varnish 127.0.0.1:6086 ("purge")
#
# For Debian's varnish (7.1): copy it to /etc/varnish/cityworkshop.vcl; the systemd
# drop-in beside it (varnish.service.d/cityworkshop.conf) starts varnishd with it and
# with the two listening addresses, the second named "purge".
# The values an operator may have to change:
#   127.0.0.1:8000             GUNICORN_BIND of cms/gunicorn.py (.host and .port below)
#   acl purgers                the app servers that publish (they send the PURGEs)
#
# tests/test_proxy.py starts varnishd with this very file and the drop-in's command
# line (only the ports changed, to free ones) in front of gunicorn with the production settings,
# and checks every rule below; benchmarks/proxy.py measures it against nginx.

vcl 4.1;

import std;

backend gunicorn {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 35s;  # gunicorn's timeout (30 s) and a little
    # /healthz answers 503 when the database does not: Varnish then serves what it has
    # (grace, below) instead of passing the 503 on.
    .probe = {
        .url = "/healthz";
        .interval = 2s;
        .timeout = 1s;
        .window = 3;
        .threshold = 2;
        .initial = 2;
    }
}

# Who may PURGE, and only on the "purge" listening address, which nginx never uses:
# every request nginx passes on comes from 127.0.0.1 too.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    unset req.http.X-Cache;  # set below (vcl_pass) for vcl_deliver, never by a client
    if (req.method == "PURGE") {
        if (local.socket != "purge" || client.ip !~ purgers) {
            return (synth(405, "Method Not Allowed"));
        }
        # The contract with the site (Wagtail's frontend cache, home/notice.py): a
        # PURGE of an address bans that path and every query string of it (the
        # programme's filters, ?page=2, a feed's parameters), on any host name, so
        # that a port or a spelling of the host can never leave a page behind. A ban
        # on obj.* only is applied by the ban lurker in the background.
        ban("obj.http.X-Cache-Path == " + regsub(req.url, "\?.*$", ""));
        return (synth(200, "Purged"));
    }
    if (local.socket == "purge") {
        return (synth(405, "Method Not Allowed"));
    }

    # Varnish appends the address it saw (nginx's, 127.0.0.1) to X-Forwarded-For.
    # Take it off again so that the site reads X-Forwarded-For as nginx wrote it:
    # TRUSTED_PROXY_COUNT stays 1 with Varnish in between (the forms' rate limit and
    # the login lockout count the visitor's address, never 127.0.0.1).
    if (req.http.X-Forwarded-For ~ ",") {
        set req.http.X-Forwarded-For = regsub(req.http.X-Forwarded-For, ",[^,]*$", "");
    }

    # Serve a stale copy only while gunicorn is down (the probe says so): a healthy
    # site's answer is never older than its max-age (60 s for «Зараз/Далі» in the
    # event week).
    if (std.healthy(req.backend_hint)) {
        set req.grace = 0s;
    }

    # Forms' POSTs, the admin and everything that is not a plain read go straight on.
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/(admin|django-admin)(/|\?|$)") {
        return (pass);
    }
    # Documents: Wagtail's view checks the collection's restrictions on every
    # download, then nginx sends the file (X-Accel-Redirect).
    if (req.url ~ "^/documents/") {
        return (pass);
    }
    # Someone logged in (the session) or who has met a form (its CSRF cookie), or an
    # API token: never from or into the cache. These are SESSION_COOKIE_NAME and
    # CSRF_COOKIE_NAME (tests/test_proxy.py checks the names).
    if (req.http.Authorization || req.http.Cookie ~ "(^|;)\s*(sessionid|csrftoken)=") {
        return (pass);
    }
    # Any other cookie means nothing to the site's pages.
    unset req.http.Cookie;
    # The site answers in Ukrainian whatever a browser asks for (LANGUAGES has one
    # language), yet says Vary: Accept-Language: one copy, not one per browser's list.
    unset req.http.Accept-Language;
    return (hash);
}

sub vcl_hash {
    # nginx sends only HTTPS requests here; should anything else come, its answer (a
    # redirect to HTTPS) is kept apart.
    hash_data(req.http.X-Forwarded-Proto);
}

sub vcl_pass {
    set req.http.X-Cache = "PASS";
}

sub vcl_backend_response {
    # What a PURGE bans on (vcl_recv): the path without its query string.
    set beresp.http.X-Cache-Path = regsub(bereq.url, "\?.*$", "");
    # How long a copy may be served past its lifetime while gunicorn is down.
    set beresp.grace = 15m;

    # Kept only as long as the site says (s-maxage, else max-age; the page cache's
    # copy's lifetime), and never an answer that says nothing about it (redirects,
    # errors) or sets a cookie or is private (Varnish's built-in rules below).
    if (!beresp.http.Cache-Control && !beresp.http.Expires) {
        set beresp.ttl = 120s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # Varnish's built-in vcl_backend_response follows: Set-Cookie, Cache-Control
    # private / no-cache / no-store, Vary: * or no lifetime left make the answer
    # uncacheable (remembered as such for two minutes).
}

sub vcl_deliver {
    unset resp.http.X-Cache-Path;
    unset resp.http.X-Varnish;
    unset resp.http.Via;
    if (req.http.X-Cache) {
        set resp.http.X-Cache = req.http.X-Cache;
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
