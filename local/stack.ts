import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { virtualClock, VIRTUAL_CLOCK_ENV, type VirtualClock } from '#shared/clock';
import { ENV } from '#shared/env';
import { redactPhones } from '#shared/log';
import { TEMPLATES } from '#shared/templates/catalogue';
import { synthesizePosventa } from '../infra/synth';
import { createHttpApi } from './api-gateway';
import { createSimulatedCustomers, type SimulatedCustomers, type SimulatedCustomersOptions } from './customers';
import { createDashboardHandler, DASHBOARD_PATH } from './dashboard';
import { createTables, startDynamoDbLocal, type RunningDynamoDb } from './dynamodb';
import { createEventBridgeService, type EventBridgeService } from './eventbridge/service';
import { sendJson } from './http';
import { asyncInvoker } from './lambda/async-invoke';
import { startFunction, type RunningFunction } from './lambda/runtime';
import { createMetaSimulator, type MetaSimulator } from './meta-simulator';
import { startDynamoDbProxy } from './metering/dynamodb-proxy';
import { meteredQueue } from './metering/metered-queue';
import type { UsageMeter } from './metering/usage';
import { createSecretsExtension } from './secrets-extension';
import { startServer, type LocalServer } from './servers';
import { attachLambda, type EventSourceMapping } from './sqs/event-source-mapping';
import { createQueue, type LocalQueue } from './sqs/queue';
import { createStepFunctionsService, type StepFunctionsService } from './stepfunctions';
import { readTopology, type Topology } from './template/topology';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_PHONE_NUMBER_ID = '100000000000001';

export interface LocalStackOptions {
  /** Port of the HTTP front door; the other endpoints take the next ports. 0 = all ephemeral. */
  port: number;
  /** Real milliseconds in a virtual day. */
  dayMs: number;
  /** Send to this Graph API instead of the built-in simulator (which then does not run). */
  graphApiBaseUrl?: string;
  /** How long the functions wait for the Graph API before a send counts as unconfirmed. @default 10000 */
  graphApiTimeoutMs?: number;
  metaAppSecret: string;
  metaVerifyToken: string;
  metaAccessToken: string;
  /** Where local.json and the synthesized template go. */
  stateDir: string;
  /** Powertools log level inside the functions. */
  functionLogLevel: string;
  /**
   * Simulated customers at the Meta simulator's end: they answer journey messages at these
   * rates, and some are unreachable. Ignored with `graphApiBaseUrl`.
   * @default none: every message is delivered and read, and nobody answers
   */
  customers?: SimulatedCustomersOptions;
  /**
   * Counts what AWS would bill (Lambda, state transitions, DynamoDB units, events, API and SQS
   * requests). DynamoDB calls then go through a counting proxy.
   * @default nothing is counted
   */
  meter?: UsageMeter;
  /**
   * Keep every journey execution's history for GetExecutionHistory (`npm run scenarios` reads it).
   * About 60 events per journey, so a simulation of thousands turns it off.
   * @default true
   */
  executionHistory?: boolean;
  /** Each line the functions write (their logs); absent, they go to this process's stdout and stderr. */
  functionOutput?: (line: string) => void;
  /** Functions also log every event they are invoked with (Powertools' POWERTOOLS_LOGGER_LOG_EVENT). */
  logFunctionEvents?: boolean;
  log: (line: string) => void;
}

/** What a store, a script or a test needs to talk to the running local stack (written to local.json). */
export interface LocalStackInfo {
  webhookUrl: string;
  kpiUrl: string;
  /** The KPI dashboard page, reading kpiUrl on the same origin. */
  dashboardUrl: string;
  httpApiUrl: string;
  eventBridgeEndpoint: string;
  stepFunctionsEndpoint: string;
  dynamoDbEndpoint: string;
  graphApiBaseUrl: string;
  region: string;
  eventBusName: string;
  stateMachineArn: string;
  /** The tables in DynamoDB Local, for scripts that read what the system recorded (npm run scenarios). */
  journeysTableName: string;
  contactsTableName: string;
  metaAppSecret: string;
  metaVerifyToken: string;
  metaAccessToken: string;
  phoneNumberId: string;
  dayMs: number;
  clockEpochMs: number;
}

export interface LocalStack {
  info: LocalStackInfo;
  clock: VirtualClock;
  topology: Topology;
  /** The built-in Meta simulator, absent when GRAPH_API_BASE_URL points elsewhere. */
  simulator?: MetaSimulator;
  /** The simulated customers, when `customers` was given and the simulator runs. */
  customers?: SimulatedCustomers;
  queues: ReadonlyMap<string, LocalQueue>;
  /** The running functions by name: a test can invoke one directly, or crash it mid-flight. */
  functions: ReadonlyMap<string, RunningFunction>;
  /** Process id of DynamoDB Local (a Java process of its own). */
  dynamoDbPid: number | undefined;
  stop(): Promise<void>;
}

function findFunctionWithEnv(topology: Topology, name: string): string {
  return functionWithEnv(topology, name).name;
}

/** The value the template gives an environment variable (a table name, say), from the first function that has it. */
function envValue(topology: Topology, name: string): string {
  return functionWithEnv(topology, name).environment[name]!;
}

function functionWithEnv(topology: Topology, name: string): Topology['functions'][number] {
  const fn = topology.functions.find((f) => f.environment[name] !== undefined);
  if (fn === undefined) throw new Error(`No function in the template has ${name}: the local stack cannot wire it`);
  return fn;
}

/**
 * Runs the whole system on this machine: synthesizes the CDK app, then runs the template's
 * functions, tables, bus, rules, queues, state machine and HTTP routes with local stand-ins
 * that speak the AWS protocols, on one virtual clock.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((error: Error) => options.log(`while stopping: ${error.message}`));
  };
  try {
    const offset = (n: number) => (options.port === 0 ? 0 : options.port + n);
    const clock = virtualClock(Date.now(), options.dayMs);

    const frontDoor = await startServer(options.port, 'HTTP API');
    const eventBridgeServer = await startServer(offset(1), 'EventBridge');
    const stepFunctionsServer = await startServer(offset(2), 'Step Functions');
    const simulatorServer = options.graphApiBaseUrl === undefined ? await startServer(offset(4), 'Meta simulator') : undefined;
    const secretsServer = await startServer(offset(5), 'Secrets extension');
    const servers: LocalServer[] = [frontDoor, eventBridgeServer, stepFunctionsServer, secretsServer, ...(simulatorServer ? [simulatorServer] : [])];
    stops.push(async () => void (await Promise.all(servers.map((s) => s.close()))));

    const dynamo: RunningDynamoDb = await startDynamoDbLocal({ region: LOCAL_REGION, ...(options.port === 0 ? {} : { port: offset(3) }) });
    stops.push(() => dynamo.stop());
    const { meter } = options;
    const dynamoProxy = meter === undefined ? undefined : await startDynamoDbProxy(dynamo.endpoint, meter);
    if (dynamoProxy !== undefined) stops.push(() => dynamoProxy.close());

    // cdk-nag runs in `cdk synth` and the infra tests; the local stack needs only the wiring.
    const { template, assemblyDir, config: posventaConfig } = synthesizePosventa({
      outdir: join(options.stateDir, 'cdk.out'),
      config: { whatsappPhoneNumberId: LOCAL_PHONE_NUMBER_ID },
      checks: false,
    });

    const graphApiBaseUrl = options.graphApiBaseUrl ?? simulatorServer!.url;
    const sessionToken = randomBytes(16).toString('hex');
    const topology = readTopology(template, {
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      assemblyDir,
      functionEnvironment: {
        AWS_REGION: LOCAL_REGION,
        AWS_DEFAULT_REGION: LOCAL_REGION,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_SESSION_TOKEN: sessionToken,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_ENDPOINT_URL_DYNAMODB: dynamoProxy?.endpoint ?? dynamo.endpoint,
        AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridgeServer.url,
        AWS_ENDPOINT_URL_SFN: stepFunctionsServer.url,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(secretsServer.port),
        [ENV.graphApiBaseUrl]: graphApiBaseUrl,
        ...(options.graphApiTimeoutMs === undefined ? {} : { [ENV.graphApiTimeoutMs]: String(options.graphApiTimeoutMs) }),
        [VIRTUAL_CLOCK_ENV.epochMs]: String(clock.epochMs),
        [VIRTUAL_CLOCK_ENV.dayMs]: String(options.dayMs),
        POWERTOOLS_LOG_LEVEL: options.functionLogLevel,
        POWERTOOLS_METRICS_DISABLED: 'true',
        ...(options.logFunctionEvents ? { POWERTOOLS_LOGGER_LOG_EVENT: 'true' } : {}),
      },
    });

    await createTables(dynamo.client, topology.tables);

    // Secrets: the template creates them with placeholders; locally they hold the local values.
    const secrets = new Map<string, string>();
    const parameters = new Map<string, string>();
    for (const fn of topology.functions) {
      const { [ENV.metaAppSecretSecretId]: appSecretId, [ENV.metaAccessTokenSecretId]: tokenId, [ENV.metaVerifyTokenParameter]: verifyTokenName } = fn.environment;
      if (appSecretId !== undefined) secrets.set(appSecretId, options.metaAppSecret);
      if (tokenId !== undefined) secrets.set(tokenId, options.metaAccessToken);
      if (verifyTokenName !== undefined) parameters.set(verifyTokenName, options.metaVerifyToken);
    }
    secretsServer.serve(createSecretsExtension({ secrets, parameters, sessionToken }));

    const functions = new Map<string, RunningFunction>();
    for (const definition of topology.functions) {
      const hooks = {
        ...(meter === undefined ? {} : { onInvoked: (ms: number) => meter.lambdaInvoked(definition.name, definition.memoryMb, ms) }),
        ...(options.functionOutput === undefined ? {} : { output: options.functionOutput }),
      };
      functions.set(definition.name, await startFunction(definition, hooks));
    }
    stops.push(async () => void (await Promise.all([...functions.values()].map((f) => f.stop()))));
    const functionNamed = (name: string): RunningFunction => {
      const fn = functions.get(name);
      if (fn === undefined) throw new Error(`The template refers to function ${name}, which the local stack does not run`);
      return fn;
    };
    const functionByArn = new Map([...functions.values()].map((f) => [f.definition.arn, f]));

    const queues = new Map<string, LocalQueue>();
    const queueByArn = new Map<string, LocalQueue>();
    // Dead-letter queues first, so the queues that point at them can be created.
    const ordered = [...topology.queues].sort((a, b) => Number(a.deadLetter !== undefined) - Number(b.deadLetter !== undefined));
    for (const q of ordered) {
      const deadLetterQueue = q.deadLetter === undefined ? undefined : queueByArn.get(q.deadLetter.arn);
      const queue = createQueue({
        name: q.name,
        arn: q.arn,
        visibilityTimeoutMs: q.visibilityTimeoutMs,
        ...(deadLetterQueue === undefined ? {} : { deadLetter: { queue: deadLetterQueue, maxReceiveCount: q.deadLetter!.maxReceiveCount } }),
      });
      queues.set(q.name, queue);
      queueByArn.set(q.arn, queue);
    }
    const mappings: EventSourceMapping[] = topology.eventSourceMappings.map((m) => {
      const queue = queueByArn.get(m.queueArn);
      if (queue === undefined) throw new Error(`Event source mapping reads unknown queue ${m.queueArn}`);
      const fn = functionNamed(m.functionName);
      return attachLambda(meter === undefined ? queue : meteredQueue(queue, meter), m, (event) => fn.invoke(event));
    });
    stops.push(async () => void (await Promise.all(mappings.map((m) => m.stop()))));

    const asyncInvokers = new Map(
      [...functions.values()].map((fn) => {
        const config = topology.asyncInvokeConfigs.find((c) => c.functionName === fn.definition.name);
        const destination = config?.onFailureArn === undefined ? undefined : queueByArn.get(config.onFailureArn);
        return [
          fn.definition.arn,
          asyncInvoker(fn, {
            maximumRetryAttempts: config?.maximumRetryAttempts ?? 2,
            ...(destination === undefined ? {} : { onFailure: (record: string) => void destination.send(record) }),
            log: options.log,
          }),
        ];
      }),
    );

    const eventBridge: EventBridgeService = createEventBridgeService({
      buses: topology.buses,
      clock,
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      log: options.log,
      ...(meter === undefined ? {} : { onEventsAccepted: (sizes: readonly number[]) => meter.eventsPut(sizes) }),
      rules: topology.rules.map((rule) => ({
        name: rule.name,
        eventBusName: rule.eventBusName,
        eventPattern: rule.eventPattern,
        targets: rule.targets.map((target) => {
          const invoke = asyncInvokers.get(target.arn);
          const queue = queueByArn.get(target.arn);
          if (invoke === undefined && queue === undefined) throw new Error(`Rule ${rule.name} targets ${target.arn}, which the local stack does not run`);
          return {
            id: target.id,
            deliver: async (event) => {
              if (invoke !== undefined) return invoke(event);
              const body = JSON.stringify(event);
              queue!.send(body);
              meter?.sqsSent(Buffer.byteLength(body));
            },
          };
        }),
      })),
    });
    eventBridgeServer.serve(eventBridge.listener);
    stops.push(() => eventBridge.close());

    const stepFunctions: StepFunctionsService = await createStepFunctionsService({
      stateMachines: topology.stateMachines,
      clock,
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      log: options.log,
      ...(meter === undefined ? {} : { onStateTransition: () => meter.stateEntered() }),
      executionHistory: options.executionHistory ?? true,
      invokeTask: (resourceArn, input) => {
        const fn = functionByArn.get(resourceArn);
        if (fn === undefined) throw new Error(`The state machine calls ${resourceArn}, which the local stack does not run`);
        return fn.invoke(input);
      },
    });
    stepFunctionsServer.serve(stepFunctions.listener);
    stops.push(() => stepFunctions.close());

    const webhookFunction = findFunctionWithEnv(topology, ENV.metaAppSecretSecretId);
    const webhookRoute = topology.routes.find((r) => r.method === 'POST' && r.functionName === webhookFunction);
    const kpiRoute = topology.routes.find((r) => r.method === 'GET' && functionNamed(r.functionName).definition.environment[ENV.kpiTableName] !== undefined);
    if (webhookRoute === undefined || kpiRoute === undefined) throw new Error('The template has no webhook POST route or no KPI route');

    const info: LocalStackInfo = {
      webhookUrl: `${frontDoor.url}${webhookRoute.path}`,
      kpiUrl: `${frontDoor.url}${kpiRoute.path}`,
      dashboardUrl: `${frontDoor.url}${DASHBOARD_PATH}`,
      httpApiUrl: frontDoor.url,
      eventBridgeEndpoint: eventBridgeServer.url,
      stepFunctionsEndpoint: stepFunctionsServer.url,
      dynamoDbEndpoint: dynamo.endpoint,
      graphApiBaseUrl,
      region: LOCAL_REGION,
      eventBusName: topology.buses[0] ?? 'default',
      stateMachineArn: topology.stateMachines[0]?.arn ?? '',
      journeysTableName: envValue(topology, ENV.journeysTableName),
      contactsTableName: envValue(topology, ENV.contactsTableName),
      metaAppSecret: options.metaAppSecret,
      metaVerifyToken: options.metaVerifyToken,
      metaAccessToken: options.metaAccessToken,
      phoneNumberId: LOCAL_PHONE_NUMBER_ID,
      dayMs: options.dayMs,
      clockEpochMs: clock.epochMs,
    };

    // The page draws the alarm lines at the thresholds the deployment's alarms use (cdk.json posventa.alarms).
    const dashboard = await createDashboardHandler({ kpiPath: kpiRoute.path, alarms: posventaConfig.alarms });
    frontDoor.serve(
      createHttpApi(
        topology.routes.map((route) => {
          const fn = functionNamed(route.functionName);
          return {
            method: route.method,
            path: route.path,
            invoke: (event) => {
              meter?.apiRequest(Buffer.byteLength(event.body ?? ''));
              return fn.invoke(event);
            },
          };
        }),
        (req, res) => {
          if (dashboard(req, res)) return;
          if (req.url === '/') sendJson(res, 200, info);
          else sendJson(res, 404, { message: 'Not Found' });
        },
        (routeKey, error) => options.log(redactPhones(`http-api: ${routeKey} answered 500: the function failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`)),
      ),
    );

    let simulator: MetaSimulator | undefined;
    let customers: SimulatedCustomers | undefined;
    if (simulatorServer !== undefined) {
      customers = options.customers === undefined ? undefined : createSimulatedCustomers(options.customers);
      simulator = createMetaSimulator({
        accessToken: options.metaAccessToken,
        appSecret: options.metaAppSecret,
        phoneNumberId: LOCAL_PHONE_NUMBER_ID,
        webhookUrl: info.webhookUrl,
        clock,
        templates: TEMPLATES.flatMap((t) =>
          Object.keys(t.body).map((language) => ({ name: t.name, language, bodyParameters: t.variables.length, category: t.category })),
        ),
        ...(customers === undefined ? {} : { recipients: customers.fateOf }),
        log: options.log,
      });
      simulatorServer.serve(simulator.listener);
      const running = simulator;
      stops.push(async () => running.close());
    }

    await mkdir(options.stateDir, { recursive: true });
    await writeFile(join(options.stateDir, 'local.json'), `${JSON.stringify(info, null, 2)}\n`);

    return { info, clock, topology, ...(simulator === undefined ? {} : { simulator }), ...(customers === undefined ? {} : { customers }), queues, functions, dynamoDbPid: dynamo.pid, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
