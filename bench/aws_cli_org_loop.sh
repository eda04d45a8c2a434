#!/usr/bin/env bash
# The aws CLI loop of AWS's own centralized-root-access scripts: for each
# member account, one after another, `aws sts assume-root` with the Audit
# task policy, then the session's reads with the aws CLI. Reads the account
# IDs (one a line) from stdin.
set -euo pipefail
policy="arn=arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
while read -r account; do
    [[ -n "$account" ]] || continue
    read -r key secret token < <(aws sts assume-root --target-principal "$account" \
        --task-policy-arn "$policy" --duration-seconds 900 \
        --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
    (
        export AWS_ACCESS_KEY_ID="$key" AWS_SECRET_ACCESS_KEY="$secret" AWS_SESSION_TOKEN="$token"
        keys=$(aws iam list-access-keys --query 'AccessKeyMetadata[].AccessKeyId' --output text)
        for k in $keys; do
            aws iam get-access-key-last-used --access-key-id "$k" >/dev/null
        done
        aws iam list-mfa-devices >/dev/null
        aws iam get-login-profile >/dev/null 2>&1 || true
        echo "$account ${keys:-none}"
    )
done
