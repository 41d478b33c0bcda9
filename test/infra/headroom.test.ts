import { Template } from 'aws-cdk-lib/assertions';
import { routes } from '../../lib/http/routes';
import { familyOf, routeGroups, routesPerNestedStack } from '../../infra/stacks/route-stacks';
import { latchkeyApp, nestedStacksOf } from './latchkey-app';

/** CloudFormation refuses a template of more than 500 resources; we keep every template at 300 or fewer. */
const maxResources = 300;
/** Routes the API must be able to grow by without a redesign. */
const moreRoutes = 50;

const { latchkey } = latchkeyApp();
const count = (template: Template) => Object.keys(template.toJSON().Resources ?? {}).length;
const parents = [latchkey.stateful, latchkey.stateless];
const nested = parents.flatMap((stack) => nestedStacksOf(stack));
const templates = [...parents.map((stack) => ({ path: stack.node.path, template: Template.fromStack(stack) })), ...nested.map(({ nested, template }) => ({ path: nested.node.path, template }))];
const resourceCounts = Object.fromEntries(templates.map(({ path, template }) => [path, count(template)]));

test(`every template, nested ones too, holds at most ${maxResources} resources`, () => {
  expect(nested.length).toBeGreaterThan(1);
  for (const [path, resources] of Object.entries(resourceCounts)) expect({ path, resources: Math.min(resources, maxResources) }).toEqual({ path, resources });
});

test("the routes' nested stacks hold every route of the table, each family apart", () => {
  const groups = routeGroups(routes);
  expect(groups.flatMap((group) => group.routes)).toEqual(expect.arrayContaining([...routes]));
  expect(groups.flatMap((group) => group.routes)).toHaveLength(routes.length);
  for (const group of groups) expect(new Set(group.routes.map(familyOf)).size).toBe(1);
  expect(routeGroups(Array.from({ length: 60 }, (_, i) => ({ path: `/things/r${i}`, methods: ['POST'], fn: `r${i}`, writes: true }))).map((g) => g.routes.length)).toEqual([25, 25, 10]);
});

test(`${moreRoutes} more routes fit: per-route cost from the template, times a full nested stack, and one nested stack per new family in the parent`, () => {
  const routeStacks = nested.filter(({ nested }) => nested.nestedStackParent === latchkey.stateless);
  const groups = routeGroups(routes);
  const perRoute = Math.max(
    ...routeStacks.map(({ nested, template }) => {
      const group = groups.find((g) => g.id === nested.node.id);
      if (group === undefined) throw new Error(`${nested.node.id} is no route group`);
      return count(template) / group.routes.length;
    }),
  );
  // A route brings its function, role, policy, log group, alarm, permission, integration and route.
  expect(perRoute).toBeLessThanOrEqual(8);
  // New routes of an existing family fill its last nested stack, then open another.
  expect(Math.ceil(perRoute * routesPerNestedStack)).toBeLessThanOrEqual(maxResources);
  // Worst case for the parent: every new route a family of its own, one nested stack each.
  const parent = resourceCounts[latchkey.stateless.node.path] ?? Number.POSITIVE_INFINITY;
  expect(parent + moreRoutes).toBeLessThanOrEqual(maxResources);
});
