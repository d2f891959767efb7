import { describe, expect, it } from 'vitest';
import { customerCountry } from '#shared/journey/country';

describe('customerCountry', () => {
  it.each([
    ['+5491155550001', 'es-AR', 'AR'],
    ['+5491155550001', 'en-US', 'AR'], // the phone wins: locale is the language read, not where one is
    ['+34612345678', 'es-ES', 'ES'],
    ['+5511987654321', 'pt-BR', 'BR'],
    ['+56912345678', 'es-CL', 'CL'],
    ['+525512345678', 'es-MX', 'MX'],
    ['+351912345678', 'pt-PT', 'PT'],
    ['+59899123456', 'es-UY', 'UY'],
    ['+50212345678', 'es-419', 'GT'],
    ['+12025550123', 'en-US', 'US'],
    ['+14165550123', 'en-CA', 'CA'], // +1 is shared: the locale settles it
    ['+17875550123', 'es-PR', 'PR'],
    ['+17875550123', 'es-419', 'US'], // +1 with no country in the locale: the first of the code
    ['+12025550123', 'es-MX', 'US'], // a locale outside +1 does not override the phone
    ['+447700900123', 'en-GB', 'GB'],
    ['+77011234567', 'ru-KZ', 'KZ'],
  ])('%s with locale %s is %s', (phone, locale, country) => {
    expect(customerCountry({ phone, locale })).toBe(country);
  });

  it('uses the locale region for a calling code it does not know, and nothing when neither tells', () => {
    expect(customerCountry({ phone: '+8821234567', locale: 'es-AR' })).toBe('AR');
    expect(customerCountry({ phone: '+8821234567', locale: 'es' })).toBeUndefined();
    expect(customerCountry({ phone: '+8821234567', locale: 'es-419' })).toBeUndefined();
  });
});
