# The UDP gateway's image: the bundle from `npm run build` (dist/gateway/: main.mjs + tariffs/) on
# node:20-slim, run as the image's non-root `node` user. No npm, no node_modules: the bundle carries its
# dependencies. There is no container runtime on the lab machines: this exact CMD is what
# test/gateway-process.int.test.ts checks and dev/gateway.ts runs (dev/build.ts GATEWAY_NODE_ARGS).
#   npm run build && docker build -t luz-gateway .
FROM node:20-slim
WORKDIR /app
COPY --chown=node:node dist/gateway/ ./
USER node
ENV NODE_ENV=production UDP_HOST=0.0.0.0 UDP_PORT=8080 HEALTH_PORT=8081
EXPOSE 8080/udp 8081/tcp
CMD ["node","--max-semi-space-size=1","--max-old-space-size=96","main.mjs"]
