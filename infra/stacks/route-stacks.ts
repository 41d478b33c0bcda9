import { NestedStack, type NestedStackProps, Validations } from 'aws-cdk-lib';
import { type HttpApi, HttpMethod, HttpRoute, HttpRouteKey } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Construct } from 'constructs';
import type { RouteDefinition } from '../../lib/http/routes';
import { routeNeeds } from '../../lib/triggers';
import type { LatchkeyFunction, LatchkeyFunctionProps } from '../constructs/latchkey-function';

/**
 * The most routes one nested stack holds. A route costs its function, role, policy, log group,
 * alarm, invoke permission, integration and route (8 resources), so a full nested stack stays
 * far below CloudFormation's 500 (and the 300 the headroom test holds every template to).
 */
export const routesPerNestedStack = 25;

/** A route's family: the first segment of its path (`/access_codes/create` → `access_codes`). */
export const familyOf = (route: Pick<RouteDefinition, 'path'>): string => route.path.split('/')[1] ?? '';

/** `access_codes`, `access-codes-create` or `openapi.json` → `AccessCodes`, `AccessCodesCreate`, `OpenapiJson`, for construct ids. */
export const pascalCase = (name: string) =>
  name
    .split(/[^a-zA-Z0-9]+/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');

export interface RouteGroup {
  /** Construct id of the nested stack: the family's name, numbered from the second chunk on. */
  readonly id: string;
  readonly routes: readonly RouteDefinition[];
}

/**
 * The routes table cut into nested stacks: one per family, in the table's order, a family of
 * more than `perStack` routes in chunks of `perStack`. A new route joins its family's last
 * stack, or opens a new one; a new family gets its own.
 */
export function routeGroups(table: readonly RouteDefinition[], perStack = routesPerNestedStack): RouteGroup[] {
  const families = new Map<string, RouteDefinition[]>();
  for (const route of table) families.set(familyOf(route), [...(families.get(familyOf(route)) ?? []), route]);
  return [...families].flatMap(([family, members]) =>
    Array.from({ length: Math.ceil(members.length / perStack) }, (_, i) => ({
      id: `${pascalCase(family)}Routes${i === 0 ? '' : i + 1}`,
      routes: members.slice(i * perStack, (i + 1) * perStack),
    })),
  );
}

export interface RoutesStackProps extends NestedStackProps {
  readonly api: HttpApi;
  readonly routes: readonly RouteDefinition[];
  /** Makes a route's function in this stack, with what its entry in the routes table needs. */
  readonly addFunction: (scope: Construct, name: string, options: Pick<LatchkeyFunctionProps, 'needs'>) => LatchkeyFunction;
}

/** One family's routes: each route's function (with its own role and log group) and its API Gateway route. */
export class RoutesStack extends NestedStack {
  constructor(scope: Construct, id: string, props: RoutesStackProps) {
    super(scope, id, props);
    for (const route of props.routes) {
      const fn = props.addFunction(this, route.fn, { needs: routeNeeds(route) });
      new HttpRoute(this, `${pascalCase(route.fn)}Route`, {
        httpApi: props.api,
        routeKey: HttpRouteKey.with(route.path, HttpMethod.ANY),
        integration: new HttpLambdaIntegration(`${pascalCase(route.fn)}Integration`, fn.lambda),
      });
    }
    Validations.of(this).acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG4',
      reason: 'Authentication is in the handler middleware: Seam API keys checked against hashed keys in the table.',
    });
  }
}
