// Years whose February has 29 days: divisible by 4 and not by 100 (the last
// two digits), or divisible by 400 (the first two digits, followed by 00).
const LEAP_YEAR = '(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)';
const MONTH_DAY = [
  '(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])',
  '(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)',
  '02-(?:0[1-9]|1[0-9]|2[0-8])',
].join('|');
const DATE = `(?:[0-9]{4}-(?:${MONTH_DAY})|${LEAP_YEAR}-02-29)`;
// Seconds stop at 59: core rejects leap seconds, so `23:59:60Z` never matches.
const TIME = '(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,9})?';

/**
 * Regular expression source matching exactly the timestamps core's
 * `isIsoUtcTimestamp` accepts: `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z`, UTC only (`Z`,
 * no offset), a real calendar day (leap years included, no 30 February) and no
 * leap second. Written as a plain pattern, rather than a custom format, so that
 * every JSON Schema validator enforces the same rule.
 */
export const ISO_UTC_TIMESTAMP_PATTERN = `^${DATE}T${TIME}Z$`;
