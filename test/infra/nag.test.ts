import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { latchkeyApp } from './latchkey-app';

const reportSchema = z.object({
  pluginReports: z.array(
    z.object({
      violations: z.array(
        z.object({
          ruleName: z.string(),
          violatingConstructs: z.array(z.object({ constructPath: z.string() })),
        }),
      ),
    }),
  ),
});

/** CDK records acknowledgments as `{ [ruleId]: reason }` metadata on the construct. */
const acknowledgmentsSchema = z.record(z.string(), z.string());

const { app } = latchkeyApp();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

/** Every unacknowledged finding as `rule at path`, or none when synthesis passes validation. */
function findings(): string[] {
  try {
    app.synth();
    return [];
  } catch (error) {
    const reportFile = path.join(app.outdir, 'validation-report.json');
    if (!fs.existsSync(reportFile)) throw error;
    const report = reportSchema.parse(JSON.parse(fs.readFileSync(reportFile, 'utf8')));
    return report.pluginReports.flatMap((plugin) => plugin.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} at ${c.constructPath}`)));
  }
}

/** Every acknowledgment recorded on the app's constructs. */
function acknowledgments(root: IConstruct) {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(acknowledgmentsSchema.parse(entry.data)))
      .map(([id, reason]) => ({ path: construct.node.path, id, reason })),
  );
}

test('AwsSolutions finds nothing that is not acknowledged', () => {
  expect(findings()).toEqual([]);
});

test('acknowledges only the findings that are by design, each with a one-line reason', () => {
  const acks = acknowledgments(app);
  expect(new Set(acks.map((a) => a.id))).toEqual(
    new Set([
      'AwsSolutions::AwsSolutions-APIG4',
      'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      // The stream relay's on-failure queue, which cdk-nag does not see as a dead-letter queue.
      'AwsSolutions::AwsSolutions-SQS3',
      // The connected accounts' secrets, created at run time, one per account, under one prefix.
      'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:latchkey/dev/connected-accounts/*]',
      // The webhooks' signing secrets, created with each webhook, under one prefix.
      'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:latchkey/dev/webhooks/*]',
      // Z-Wave hubs' things (created at run time by the CLI, one per hub) and their lock shadows.
      'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iot:<AWS::Region>:<AWS::AccountId>:thing/latchkey-dev-hub-*]',
      'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iot:<AWS::Region>:<AWS::AccountId>:thing/latchkey-dev-hub-*/*]',
      // CDK's provider function of the IoT endpoint lookup (AwsCustomResource) writes its logs through this managed policy.
      'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      // The alarm topic: notices carry no data, and CloudWatch cannot publish to the AWS-managed SNS key.
      'AwsSolutions::AwsSolutions-SNS2',
      // The hub rules' error destination is itself a dead letter queue.
      'AwsSolutions::AwsSolutions-SQS3',
    ]),
  );
  for (const ack of acks) {
    expect(ack.reason).toMatch(/^[^\n]{20,200}$/);
  }
});
