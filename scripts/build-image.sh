#!/usr/bin/env bash
# Builds the connector image (./Dockerfile) and pushes it to Amazon ECR, then prints the image URI
# by digest, to deploy with:  npx serverless deploy --param image=<printed URI> --param subnets=...
#
# Usage: scripts/build-image.sh [repository-name]   (default: connectors)
# Needs: docker (with buildx for --platform), the AWS CLI v2 and credentials; AWS_REGION (default us-east-1).
# PLATFORM=linux/arm64 builds for Graviton tasks (then set custom.connectors.container.architecture: ARM64).
set -euo pipefail
cd "$(dirname "$0")/.."

repository="${1:-connectors}"
region="${AWS_REGION:-${AWS_DEFAULT_REGION:-us-east-1}}"
platform="${PLATFORM:-linux/amd64}"
account="$(aws sts get-caller-identity --query Account --output text)"
registry="${account}.dkr.ecr.${region}.amazonaws.com"
tag="$(git rev-parse --short HEAD 2>/dev/null || date +%Y%m%d%H%M%S)"

if ! aws ecr describe-repositories --region "$region" --repository-names "$repository" >/dev/null 2>&1; then
  aws ecr create-repository --region "$region" --repository-name "$repository" \
    --image-scanning-configuration scanOnPush=true >/dev/null
  echo "created ECR repository ${repository}" >&2
fi
aws ecr get-login-password --region "$region" | docker login --username AWS --password-stdin "$registry" >&2

docker build --platform "$platform" --tag "${registry}/${repository}:${tag}" . >&2
docker push "${registry}/${repository}:${tag}" >&2

# A digest URI pins the exact image: ECS never pulls a different one under the same tag.
docker inspect --format '{{index .RepoDigests 0}}' "${registry}/${repository}:${tag}"
