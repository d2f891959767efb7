/**
 * The customer's country (ISO 3166-1 alpha-2), for per-country quiet days.
 *
 * Read from the phone number's country calling code first: the phone is always in the
 * purchase event, it is the number WhatsApp delivers to, and Meta prices by it. A locale
 * says which language someone reads (es-US, en-AR and es-419 are common), not where they
 * are, so the locale's region only settles codes several countries share (+1, +7, +44…)
 * and codes this table does not know.
 */

// Calling code → countries; the first one is assumed when the locale names none of the others.
const CALLING_CODES: Readonly<Record<string, string>> = {
  '1': 'US CA PR DO JM TT BS BB AG AI AS BM DM GD GU KN KY LC MP MS SX TC VC VG VI',
  '7': 'RU KZ',
  '20': 'EG', '27': 'ZA', '30': 'GR', '31': 'NL', '32': 'BE', '33': 'FR', '34': 'ES', '36': 'HU', '39': 'IT VA',
  '40': 'RO', '41': 'CH', '43': 'AT', '44': 'GB GG IM JE', '45': 'DK', '46': 'SE', '47': 'NO SJ', '48': 'PL', '49': 'DE',
  '51': 'PE', '52': 'MX', '53': 'CU', '54': 'AR', '55': 'BR', '56': 'CL', '57': 'CO', '58': 'VE',
  '60': 'MY', '61': 'AU CX CC', '62': 'ID', '63': 'PH', '64': 'NZ', '65': 'SG', '66': 'TH',
  '81': 'JP', '82': 'KR', '84': 'VN', '86': 'CN',
  '90': 'TR', '91': 'IN', '92': 'PK', '93': 'AF', '94': 'LK', '95': 'MM', '98': 'IR',
  '211': 'SS', '212': 'MA EH', '213': 'DZ', '216': 'TN', '218': 'LY', '220': 'GM', '221': 'SN', '222': 'MR', '223': 'ML',
  '224': 'GN', '225': 'CI', '226': 'BF', '227': 'NE', '228': 'TG', '229': 'BJ', '230': 'MU', '231': 'LR', '232': 'SL',
  '233': 'GH', '234': 'NG', '235': 'TD', '236': 'CF', '237': 'CM', '238': 'CV', '239': 'ST', '240': 'GQ', '241': 'GA',
  '242': 'CG', '243': 'CD', '244': 'AO', '245': 'GW', '248': 'SC', '249': 'SD', '250': 'RW', '251': 'ET', '252': 'SO',
  '253': 'DJ', '254': 'KE', '255': 'TZ', '256': 'UG', '257': 'BI', '258': 'MZ', '260': 'ZM', '261': 'MG', '262': 'RE YT',
  '263': 'ZW', '264': 'NA', '265': 'MW', '266': 'LS', '267': 'BW', '268': 'SZ', '269': 'KM', '290': 'SH', '291': 'ER',
  '297': 'AW', '298': 'FO', '299': 'GL',
  '350': 'GI', '351': 'PT', '352': 'LU', '353': 'IE', '354': 'IS', '355': 'AL', '356': 'MT', '357': 'CY', '358': 'FI AX',
  '359': 'BG', '370': 'LT', '371': 'LV', '372': 'EE', '373': 'MD', '374': 'AM', '375': 'BY', '376': 'AD', '377': 'MC',
  '378': 'SM', '380': 'UA', '381': 'RS', '382': 'ME', '383': 'XK', '385': 'HR', '386': 'SI', '387': 'BA', '389': 'MK',
  '420': 'CZ', '421': 'SK', '423': 'LI',
  '500': 'FK', '501': 'BZ', '502': 'GT', '503': 'SV', '504': 'HN', '505': 'NI', '506': 'CR', '507': 'PA', '508': 'PM',
  '509': 'HT', '590': 'GP BL MF', '591': 'BO', '592': 'GY', '593': 'EC', '594': 'GF', '595': 'PY', '596': 'MQ', '597': 'SR',
  '598': 'UY', '599': 'CW BQ',
  '670': 'TL', '673': 'BN', '674': 'NR', '675': 'PG', '676': 'TO', '677': 'SB', '678': 'VU', '679': 'FJ', '680': 'PW',
  '681': 'WF', '682': 'CK', '683': 'NU', '685': 'WS', '686': 'KI', '687': 'NC', '688': 'TV', '689': 'PF', '691': 'FM', '692': 'MH',
  '850': 'KP', '852': 'HK', '853': 'MO', '855': 'KH', '856': 'LA', '880': 'BD', '886': 'TW',
  '960': 'MV', '961': 'LB', '962': 'JO', '963': 'SY', '964': 'IQ', '965': 'KW', '966': 'SA', '967': 'YE', '968': 'OM',
  '970': 'PS', '971': 'AE', '972': 'IL', '973': 'BH', '974': 'QA', '975': 'BT', '976': 'MN', '977': 'NP',
  '992': 'TJ', '993': 'TM', '994': 'AZ', '995': 'GE', '996': 'KG', '998': 'UZ',
};

/** The region of a locale when it is a country (es-AR → AR; es-419, a UN region, → undefined). */
function localeCountry(locale: string): string | undefined {
  const region = locale.split(/[-_]/)[1];
  return region !== undefined && /^[A-Za-z]{2}$/.test(region) ? region.toUpperCase() : undefined;
}

/** Country of a customer: by phone calling code, the locale breaking ties; undefined when neither tells. */
export function customerCountry(customer: { readonly phone: string; readonly locale: string }): string | undefined {
  const digits = customer.phone.replace(/^\+/, '');
  const fromLocale = localeCountry(customer.locale);
  // Calling codes are prefix-free, so at most one of the first 1, 2 or 3 digits is a code.
  for (const length of [1, 2, 3]) {
    const countries = CALLING_CODES[digits.slice(0, length)]?.split(' ');
    if (countries === undefined) continue;
    return fromLocale !== undefined && countries.includes(fromLocale) ? fromLocale : countries[0];
  }
  return fromLocale;
}
