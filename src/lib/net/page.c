/* page.c: one bounded GET of a small page (see page.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "modvault/net/page.h"

struct sink {
	struct mv_buf	*out;
	bool		 over;
};

static size_t
on_write(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct sink *s = ctx;
	size_t n = size * nmemb;

	if (mv_buf_append(s->out, p, n, NULL) == -1) {
		s->over = true;
		return 0;
	}
	return n;
}

#define SET(opt, val)	do {						\
	if (rc == CURLE_OK)						\
		rc = curl_easy_setopt(c, opt, val);			\
} while (0)

static CURLcode
setup(CURL *c, const struct mv_config *cfg, const char *url, bool insecure,
    struct sink *s, char *errbuf)
{
	CURLcode rc = CURLE_OK;
	const char *protos = insecure ? "http,https" : "https";

	SET(CURLOPT_URL, url);
	SET(CURLOPT_PROTOCOLS_STR, protos);
	SET(CURLOPT_REDIR_PROTOCOLS_STR, protos);
	SET(CURLOPT_FOLLOWLOCATION, 1L);
	SET(CURLOPT_MAXREDIRS, 10L);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_USERAGENT, "modvault/" PACKAGE_VERSION);
	SET(CURLOPT_CONNECTTIMEOUT, cfg->connect_timeout);
	SET(CURLOPT_TIMEOUT, cfg->upstream_timeout);
	SET(CURLOPT_LOW_SPEED_LIMIT, 1024L);
	SET(CURLOPT_LOW_SPEED_TIME, cfg->stall_timeout);
	SET(CURLOPT_SSL_VERIFYPEER, insecure ? 0L : 1L);
	SET(CURLOPT_SSL_VERIFYHOST, insecure ? 0L : 2L);
	SET(CURLOPT_WRITEFUNCTION, on_write);
	SET(CURLOPT_WRITEDATA, s);
	if (cfg->netrc[0] != '\0') {
		SET(CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL);
		SET(CURLOPT_NETRC_FILE, cfg->netrc);
	}
	return rc;
}

int
mv_page_get(const struct mv_config *cfg, const char *url, bool insecure,
    struct mv_buf *out, long *status, struct mv_err *err)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct sink s = { out, false };
	CURL *c;
	CURLcode rc;
	int ret = 0;

	*status = 0;
	if ((c = curl_easy_init()) == NULL)
		return mv_fail(err, MV_ENOMEM, "cannot create a curl handle");
	rc = setup(c, cfg, url, insecure, &s, errbuf);
	if (rc == CURLE_OK)
		rc = curl_easy_perform(c);
	if (s.over)
		ret = mv_fail(err, MV_ELIMIT, "%s: page larger than %zu bytes",
		    url, out->max);
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		ret = mv_fail(err, MV_ETIMEOUT, "%s fetch: timed out",
		    strncmp(url, "https:", 6) == 0 ? "https" : "http");
	else if (rc != CURLE_OK)
		ret = mv_fail(err, MV_EUPSTREAM, "%s fetch: %s",
		    strncmp(url, "https:", 6) == 0 ? "https" : "http",
		    errbuf[0] ? errbuf : curl_easy_strerror(rc));
	else
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(c);
	return ret;
}
