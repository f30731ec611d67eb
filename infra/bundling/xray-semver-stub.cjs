/**
 * Stands in for `semver` in the Lambda bundles. aws-xray-sdk-core (under the Powertools tracer)
 * requires the whole semver package, 28 KB minified, for one check in `captureAWS`, its patcher for
 * the AWS SDK v2. This project uses SDK v3 only (the tracer's `captureAWSv3Client`), so that check
 * never runs; if it ever did, it fails loudly instead of tracing nothing.
 */
module.exports = {
  gte() {
    throw new Error('captureAWS (AWS SDK v2) is not supported in this bundle: use AWS SDK v3');
  },
};
