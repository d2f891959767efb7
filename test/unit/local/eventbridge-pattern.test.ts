import { describe, expect, it } from 'vitest';
import { compileEventPattern } from '../../../local/eventbridge/event-pattern';
import { matchesEventPattern } from '../../../local/eventbridge/match-event-pattern';

// Events and patterns below are the examples of the EventBridge user guide ("Event
// patterns", "Arrays in event patterns", "Null values", "Content filtering") and of
// aws/event-ruler's README, which is the engine EventBridge runs.

const ec2Event = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

const withDetail = (detail: Record<string, unknown>) => ({ ...ec2Event, detail });

describe('matchesEventPattern: exact values', () => {
  it('matches the fields named and ignores the others', () => {
    expect(
      matchesEventPattern(
        {
          'detail-type': ['EC2 Instance State-change Notification'],
          resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
          detail: { state: ['initializing', 'running'] },
        },
        ec2Event,
      ),
    ).toBe(true);
  });

  it('needs every named field to match (AND across fields)', () => {
    expect(matchesEventPattern({ source: ['aws.ec2'], detail: { state: ['terminated'] } }, ec2Event)).toBe(false);
  });

  it('treats the values of one field as alternatives (OR within a field)', () => {
    expect(matchesEventPattern({ source: ['aws.fargate', 'aws.ec2'] }, ec2Event)).toBe(true);
    expect(matchesEventPattern({ source: ['aws.fargate', 'aws.s3'] }, ec2Event)).toBe(false);
  });

  it('compares strings exactly, without case folding', () => {
    expect(matchesEventPattern({ source: ['AWS.EC2'] }, ec2Event)).toBe(false);
  });

  it('does not match when a named field is missing', () => {
    expect(matchesEventPattern({ detail: { 'no-such-field': ['x'] } }, ec2Event)).toBe(false);
    expect(matchesEventPattern({ nothing: { deeper: ['x'] } }, ec2Event)).toBe(false);
  });

  it('matches numbers, booleans, null and empty strings, and keeps null apart from ""', () => {
    const event = withDetail({ 'risk-score': 80, flagged: true, eventVersion: '', responseElements: null });
    expect(matchesEventPattern({ detail: { 'risk-score': [80] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { 'risk-score': ['80'] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { flagged: [true] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { flagged: ['true'] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { eventVersion: [''] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { responseElements: [null] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { eventVersion: [null] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { responseElements: [''] } }, event)).toBe(false);
  });

  it('follows nesting: a value pattern does not match an object, nor a nested pattern a string', () => {
    const event = withDetail({ trigger: { risk: 8 }, name: 'x' });
    expect(matchesEventPattern({ detail: { trigger: { risk: [8] } } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { trigger: [8] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { name: { inner: ['x'] } } }, event)).toBe(false);
  });

  it('matches the Purchase Completed rule of Posventa', () => {
    const purchase = {
      ...ec2Event,
      source: 'posventa.store',
      'detail-type': 'Purchase Completed',
      detail: { orderId: 'o-1', customer: { locale: 'es-AR' } },
    };
    const pattern = { source: ['posventa.store'], 'detail-type': ['Purchase Completed'] };
    expect(matchesEventPattern(pattern, purchase)).toBe(true);
    expect(matchesEventPattern(pattern, { ...purchase, 'detail-type': 'Purchase Refunded' })).toBe(false);
  });
});

describe('matchesEventPattern: arrays in events', () => {
  it('matches when the pattern and event arrays intersect', () => {
    const event = {
      ...ec2Event,
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    };
    const pattern = {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
      ],
    };
    expect(matchesEventPattern(pattern, event)).toBe(true);
    expect(matchesEventPattern({ resources: ['arn:other'] }, event)).toBe(false);
  });

  it('does not match an empty event array', () => {
    expect(matchesEventPattern({ resources: ['x'] }, { ...ec2Event, resources: [] })).toBe(false);
  });

  it('crushes arrays of objects, but keeps the fields of one match in one element', () => {
    const event = {
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    };
    expect(matchesEventPattern({ employees: { firstName: ['Anna'] } }, event)).toBe(true);
    expect(matchesEventPattern({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, event)).toBe(true);
    expect(matchesEventPattern({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, event)).toBe(false);
  });

  it('crushes nested arrays too', () => {
    const event = { employees: [[{ firstName: 'John' }, { firstName: 'Anna' }], [{ firstName: 'Peter' }]] };
    expect(matchesEventPattern({ employees: { firstName: ['Peter'] } }, event)).toBe(true);
    expect(matchesEventPattern({ employees: { firstName: ['Zoe'] } }, event)).toBe(false);
  });

  it('applies operators to each element of a value array', () => {
    const event = withDetail({ tags: ['Custom_Alert', 'Insider'] });
    expect(matchesEventPattern({ detail: { tags: [{ prefix: 'Ins' }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { tags: [{ prefix: 'Out' }] } }, event)).toBe(false);
  });
});

describe('matchesEventPattern: prefix, suffix, equals-ignore-case, wildcard', () => {
  it('prefix matches the start of a string', () => {
    expect(matchesEventPattern({ time: [{ prefix: '2017-10-02' }] }, ec2Event)).toBe(true);
    expect(matchesEventPattern({ time: [{ prefix: '2017-10-03' }] }, ec2Event)).toBe(false);
  });

  it('prefix with equals-ignore-case ignores the case of the start', () => {
    const event = withDetail({ service: 'EVENTBRIDGE' });
    expect(matchesEventPattern({ detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { service: [{ prefix: 'EventB' }] } }, event)).toBe(false);
  });

  it('suffix matches the end of a string, optionally ignoring case', () => {
    const event = withDetail({ FileName: 'photo.PNG' });
    expect(matchesEventPattern({ detail: { FileName: [{ suffix: '.PNG' }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { FileName: [{ suffix: '.png' }] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, event)).toBe(true);
  });

  it('equals-ignore-case compares whole strings in any case', () => {
    expect(matchesEventPattern({ source: [{ 'equals-ignore-case': 'AWS.EC2' }] }, ec2Event)).toBe(true);
    expect(matchesEventPattern({ source: [{ 'equals-ignore-case': 'AWS.EC' }] }, ec2Event)).toBe(false);
  });

  it('string operators never match numbers', () => {
    expect(matchesEventPattern({ detail: { 'c-count': [{ prefix: '5' }] } }, ec2Event)).toBe(false);
    expect(matchesEventPattern({ detail: { 'c-count': [{ 'equals-ignore-case': '5' }] } }, ec2Event)).toBe(false);
  });

  it('wildcard: * is any run of characters, \\* a literal star', () => {
    const event = withDetail({ EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/posventa', note: 'a*b' });
    expect(matchesEventPattern({ detail: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { EventBusArn: [{ wildcard: 'arn:aws:events:eu-west-1:*' }] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { note: [{ wildcard: 'a\\*b' }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { note: [{ wildcard: 'a\\*c' }] } }, event)).toBe(false);
  });
});

describe('matchesEventPattern: anything-but', () => {
  it('excludes one string or number', () => {
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': 'initializing' }] } }, ec2Event)).toBe(true);
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': 'running' }] } }, ec2Event)).toBe(false);
    expect(matchesEventPattern({ detail: { 'c-count': [{ 'anything-but': 123 }] } }, ec2Event)).toBe(true);
    expect(matchesEventPattern({ detail: { 'c-count': [{ 'anything-but': 5 }] } }, ec2Event)).toBe(false);
  });

  it('excludes a list of strings or of numbers', () => {
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, ec2Event)).toBe(true);
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } }, ec2Event)).toBe(false);
    expect(matchesEventPattern({ detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, ec2Event)).toBe(true);
    expect(matchesEventPattern({ detail: { 'x-limit': [{ 'anything-but': [100, 301.8] }] } }, ec2Event)).toBe(false);
  });

  it('excludes a prefix, a suffix, or a value in any case', () => {
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, ec2Event)).toBe(true);
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': { prefix: 'run' } }] } }, ec2Event)).toBe(false);
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': { suffix: 'ing' } }] } }, ec2Event)).toBe(false);
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': { suffix: '.png' } }] } }, ec2Event)).toBe(true);
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'RUNNING' } }] } }, ec2Event)).toBe(false);
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['STOPPED', 'X'] } }] } }, ec2Event)).toBe(true);
  });

  it('needs the field to be present', () => {
    expect(matchesEventPattern({ detail: { missing: [{ 'anything-but': 'x' }] } }, ec2Event)).toBe(false);
  });

  it('matches an array when any element is not excluded', () => {
    const event = withDetail({ states: ['stopped', 'running'] });
    expect(matchesEventPattern({ detail: { states: [{ 'anything-but': 'stopped' }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { states: [{ 'anything-but': ['stopped', 'running'] }] } }, event)).toBe(false);
  });
});

describe('matchesEventPattern: numeric', () => {
  it('matches ranges on numbers, every field of the documented example', () => {
    const pattern = {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    };
    expect(matchesEventPattern(pattern, ec2Event)).toBe(true);
    expect(matchesEventPattern(pattern, withDetail({ ...ec2Event.detail, 'c-count': 6 }))).toBe(false);
    expect(matchesEventPattern(pattern, withDetail({ ...ec2Event.detail, 'c-count': 0 }))).toBe(false);
    expect(matchesEventPattern(pattern, withDetail({ ...ec2Event.detail, 'd-count': 10 }))).toBe(false);
    expect(matchesEventPattern(pattern, withDetail({ ...ec2Event.detail, 'x-limit': 301.9 }))).toBe(false);
  });

  it('honours inclusive and exclusive bounds', () => {
    expect(matchesEventPattern({ detail: { 'c-count': [{ numeric: ['>=', 5, '<', 6] }] } }, ec2Event)).toBe(true);
    expect(matchesEventPattern({ detail: { 'c-count': [{ numeric: ['>', 5] }] } }, ec2Event)).toBe(false);
    expect(matchesEventPattern({ detail: { 'c-count': [{ numeric: ['<=', 5] }] } }, ec2Event)).toBe(true);
  });

  it('never matches a string that looks like a number', () => {
    expect(matchesEventPattern({ detail: { n: [{ numeric: ['>', 0] }] } }, withDetail({ n: '5' }))).toBe(false);
  });
});

describe('matchesEventPattern: exists', () => {
  it('exists: true needs the field, exists: false its absence', () => {
    expect(matchesEventPattern({ detail: { 'c-count': [{ exists: true }] } }, ec2Event)).toBe(true);
    expect(matchesEventPattern({ detail: { 'c-count': [{ exists: false }] } }, ec2Event)).toBe(false);
    expect(matchesEventPattern({ detail: { 'e-count': [{ exists: false }] } }, ec2Event)).toBe(true);
    expect(matchesEventPattern({ detail: { 'e-count': [{ exists: true }] } }, ec2Event)).toBe(false);
  });

  it('only looks at leaves: a field holding an object does not "exist"', () => {
    const event = withDetail({ state: ['initializing', 'running'], 'c-count': { c1: 100 } });
    expect(matchesEventPattern({ detail: { 'c-count': [{ exists: false }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { 'c-count': [{ exists: true }] } }, event)).toBe(false);
  });

  it('holds exists: false when a whole parent object is missing', () => {
    expect(matchesEventPattern({ detail: { customer: { optIn: [{ exists: false }] } } }, ec2Event)).toBe(true);
  });

  it('treats null as present and an empty array as absent', () => {
    expect(matchesEventPattern({ detail: { a: [{ exists: true }] } }, withDetail({ a: null }))).toBe(true);
    expect(matchesEventPattern({ detail: { a: [{ exists: false }] } }, withDetail({ a: [] }))).toBe(true);
  });

  it('combines with other values as alternatives', () => {
    const pattern = { detail: { segment: [{ exists: false }, 'vip'] } };
    expect(matchesEventPattern(pattern, withDetail({}))).toBe(true);
    expect(matchesEventPattern(pattern, withDetail({ segment: 'vip' }))).toBe(true);
    expect(matchesEventPattern(pattern, withDetail({ segment: 'new' }))).toBe(false);
  });
});

describe('matchesEventPattern: $or', () => {
  const metric = (detail: Record<string, unknown>) => ({ source: 'aws.cloudwatch', ...detail });

  it('source AND (metricName OR namespace)', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    };
    expect(matchesEventPattern(pattern, metric({ metricName: 'ReadLatency' }))).toBe(true);
    expect(matchesEventPattern(pattern, metric({ namespace: 'AWS/ES' }))).toBe(true);
    expect(matchesEventPattern(pattern, metric({ metricName: 'Other', namespace: 'AWS/S3' }))).toBe(false);
    expect(matchesEventPattern(pattern, { source: 'aws.ec2', metricName: 'ReadLatency' })).toBe(false);
  });

  it('an alternative can be an AND of fields, and hold its own $or', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization'] },
        { metricType: ['MetricType'], namespace: ['AWS/EC2'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
      ],
    };
    expect(matchesEventPattern(pattern, metric({ metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 }))).toBe(true);
    expect(matchesEventPattern(pattern, metric({ metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1 }))).toBe(false);
    expect(matchesEventPattern(pattern, metric({ metricType: 'MetricType', spaceId: 1000 }))).toBe(false);
  });

  it('works inside nested objects, in parallel with a top-level $or', () => {
    const pattern = {
      $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
      detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
    };
    expect(matchesEventPattern(pattern, { namespace: 'AWS/EC2', detail: { 'detail-type': 'CloudWatch Alarm State Change' } })).toBe(true);
    expect(matchesEventPattern(pattern, { namespace: 'AWS/EC2', detail: { source: 'other' } })).toBe(false);
  });
});

describe('compileEventPattern: invalid patterns are reported, not matched', () => {
  it.each([
    ['a bare value instead of an array', { source: 'aws.ec2' }],
    ['an empty array', { source: [] }],
    ['an empty object', { detail: {} }],
    ['an unknown operator', { source: [{ startsWith: 'aws' }] }],
    ['two keys in one operator object', { source: [{ prefix: 'a', suffix: 'b' }] }],
    ['numeric with a string bound', { n: [{ numeric: ['>', '5'] }] }],
    ['numeric "=" combined with a range', { n: [{ numeric: ['=', 5, '<', 6] }] }],
    ['numeric with two lower bounds', { n: [{ numeric: ['>', 1, '>=', 2] }] }],
    ['an inverted numeric range', { n: [{ numeric: ['>', 10, '<', 5] }] }],
    ['exists with a non-boolean', { n: [{ exists: 'yes' }] }],
    ['anything-but with a mixed list', { n: [{ 'anything-but': ['a', 1] }] }],
    ['a wildcard with consecutive stars', { n: [{ wildcard: 'a**b' }] }],
    ['$or with a single alternative', { $or: [{ a: ['x'] }] }],
    ['a pattern that is not an object', ['source']],
  ])('rejects %s', (_name, pattern) => {
    const result = compileEventPattern(pattern);
    expect(result.ok).toBe(false);
    expect(() => matchesEventPattern(pattern, ec2Event)).toThrow(/Event pattern is not valid/);
  });

  it('names the path of the problem', () => {
    const result = compileEventPattern({ detail: { customer: { locale: 'es-AR' } } });
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('detail.customer.locale') });
  });
});
