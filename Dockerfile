# One image for every service; docker-compose.yml picks the entry point per service.
FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node scripts/build.mjs
ENV NODE_ENV=production
USER node
CMD ["node", "--enable-source-maps", "dist/apps/gateway/src/main.js"]
